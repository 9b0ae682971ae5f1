//! Fake but plausible values: supply units, channels, names, phones, addresses.
//!
//! Nothing here is real personal data; shapes follow real exports so that the
//! redaction and ingest code sees what it will see in production.

use crate::rng::Rng;

/// A supply unit (供电单位) and its service counter.
#[derive(Debug)]
pub struct Unit {
    /// 供电单位 as exported.
    pub name: &'static str,
    /// The unit's counter (营业厅).
    pub hall: &'static str,
    /// County units serve rural transformer districts: weaker grids.
    pub rural: bool,
    /// District or county prefix for addresses.
    pub area: &'static str,
    /// Relative share of the orders.
    pub weight: f64,
}

/// Twelve units: five urban service centres, seven county companies.
pub static UNITS: &[Unit] = &[
    Unit {
        name: "城区供电服务中心",
        hall: "中山路营业厅",
        rural: false,
        area: "城中区",
        weight: 16.0,
    },
    Unit {
        name: "城东供电服务中心",
        hall: "东湖营业厅",
        rural: false,
        area: "城东区",
        weight: 12.0,
    },
    Unit {
        name: "城西供电服务中心",
        hall: "西关营业厅",
        rural: false,
        area: "城西区",
        weight: 11.0,
    },
    Unit {
        name: "高新区供电服务中心",
        hall: "高新营业厅",
        rural: false,
        area: "高新区",
        weight: 8.0,
    },
    Unit {
        name: "经开区供电服务中心",
        hall: "经开营业厅",
        rural: false,
        area: "经开区",
        weight: 6.0,
    },
    Unit {
        name: "青山县供电公司",
        hall: "青山县城营业厅",
        rural: true,
        area: "青山县",
        weight: 9.0,
    },
    Unit {
        name: "河口县供电公司",
        hall: "河口营业厅",
        rural: true,
        area: "河口县",
        weight: 8.0,
    },
    Unit {
        name: "龙泉县供电公司",
        hall: "龙泉营业厅",
        rural: true,
        area: "龙泉县",
        weight: 7.0,
    },
    Unit {
        name: "石桥县供电公司",
        hall: "石桥营业厅",
        rural: true,
        area: "石桥县",
        weight: 6.0,
    },
    Unit {
        name: "白沙县供电公司",
        hall: "白沙营业厅",
        rural: true,
        area: "白沙县",
        weight: 5.0,
    },
    Unit {
        name: "临江县供电公司",
        hall: "临江营业厅",
        rural: true,
        area: "临江县",
        weight: 4.0,
    },
    Unit {
        name: "平安县供电公司",
        hall: "平安营业厅",
        rural: true,
        area: "平安县",
        weight: 3.0,
    },
];

/// 受理渠道 with their shares (95598 dominates, paper 003/004).
pub static CHANNELS: &[(&str, f64)] = &[
    ("95598电话", 55.0),
    ("网上国网", 20.0),
    ("微信公众号", 9.0),
    ("掌上电力", 8.0),
    ("营业厅", 8.0),
];

/// Index of the 95598 hotline in [`CHANNELS`].
pub const HOTLINE: usize = 0;

/// Index of the counter channel in [`CHANNELS`].
pub const COUNTER: usize = 4;

/// 客户类别 with their shares for residential-leaning causes.
pub static CUSTOMER_CLASSES: &[(&str, f64, f64)] = &[
    // (label, residential-cause weight, commercial-cause weight)
    ("居民", 82.0, 25.0),
    ("非居民", 12.0, 45.0),
    ("大客户", 3.0, 18.0),
    ("重要客户", 2.0, 7.0),
    ("VIP", 1.0, 5.0),
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "欧阳",
];

const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "兰", "建", "国", "志", "红", "文", "辉",
    "凤", "春", "海", "波", "宁", "鑫", "宇", "浩", "欣", "梅", "琳", "斌", "云",
];

const COMPANIES: &[&str] = &[
    "宏达", "鑫源", "华盛", "永兴", "恒泰", "金鼎", "瑞丰", "博远", "新和", "利民",
];

const COMPANY_KINDS: &[&str] = &[
    "机械厂",
    "食品有限公司",
    "商贸有限公司",
    "建材厂",
    "酒店",
    "超市",
    "物流有限公司",
    "塑料制品厂",
];

const ROADS: &[&str] = &[
    "人民路",
    "解放路",
    "建设路",
    "中山路",
    "胜利街",
    "和平路",
    "新华路",
    "文化路",
    "长江路",
    "黄河路",
    "迎宾大道",
    "光明街",
    "学府路",
    "工业大道",
    "滨河路",
];

const COMMUNITIES: &[&str] = &[
    "阳光花园",
    "锦绣家园",
    "翠湖小区",
    "幸福里",
    "金色港湾",
    "书香苑",
    "绿地城",
    "东方明珠小区",
    "铁路新村",
    "电厂宿舍",
    "紫荆花园",
    "御景湾",
    "世纪城",
    "桂花园",
    "春晓小区",
    "水岸名都",
];

const TOWNS: &[&str] = &[
    "城关", "新集", "桥头", "石门", "马坊", "柳湾", "高庄", "太平", "龙山",
];

const VILLAGES: &[&str] = &[
    "李家", "王庄", "张湾", "上河", "下河", "东岗", "西坪", "柳树", "枣园", "后沟", "前进", "红星",
];

const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "177", "180", "181", "182", "183", "185", "186", "187",
    "188", "189", "191", "199",
];

/// A fake personal name (2–3 characters).
pub fn person_name(rng: &mut Rng) -> String {
    let mut s = String::with_capacity(9);
    s.push_str(rng.pick(SURNAMES));
    s.push_str(rng.pick(GIVEN));
    if rng.chance(0.6) {
        s.push_str(rng.pick(GIVEN));
    }
    s
}

/// The surname of a name (for "王先生").
pub fn surname(name: &str) -> &str {
    if name.starts_with("欧阳") {
        return &name[..6];
    }
    name.chars().next().map_or("", |c| &name[..c.len_utf8()])
}

/// A fake company name for non-residential customers.
pub fn company_name(rng: &mut Rng, area: &str) -> String {
    let area = area.trim_end_matches(['区', '县']);
    format!("{area}{}{}", rng.pick(COMPANIES), rng.pick(COMPANY_KINDS))
}

/// A fake mobile number (11 digits).
pub fn mobile(rng: &mut Rng) -> String {
    format!("{}{:08}", rng.pick(MOBILE_PREFIXES), rng.below(100_000_000))
}

/// A fake 10-digit customer number (户号).
pub fn customer_id(rng: &mut Rng) -> String {
    format!("{}{:09}", rng.range(1, 9), rng.below(1_000_000_000))
}

/// A fake 18-digit resident ID number whose check digit is valid (GB 11643),
/// so that a validating redactor recognises it.
pub fn id_number(rng: &mut Rng) -> String {
    const REGIONS: &[&str] = &["410102", "410305", "420106", "430104", "370202", "320505"];
    let year = rng.range(1950, 2002);
    let month = rng.range(1, 12);
    let day = rng.range(1, 28);
    let body = format!(
        "{}{year}{month:02}{day:02}{:03}",
        rng.pick(REGIONS),
        rng.below(1000)
    );
    format!("{body}{}", id_check_digit(&body))
}

/// The GB 11643 check character of a 17-digit body.
pub fn id_check_digit(body17: &str) -> char {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = body17
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    C[(sum % 11) as usize]
}

/// A place for `{loc}` and a full 用电地址, consistent with each other.
pub fn place(rng: &mut Rng, unit: &Unit) -> (String, String) {
    if unit.rural && rng.chance(0.75) {
        let town = rng.pick(TOWNS);
        let village = rng.pick(VILLAGES);
        let loc = format!("{village}村");
        let addr = format!(
            "{}{town}镇{village}村{}组{}号",
            unit.area,
            rng.range(1, 12),
            rng.range(1, 99)
        );
        (loc, addr)
    } else {
        let community = rng.pick(COMMUNITIES);
        let road = rng.pick(ROADS);
        let addr = format!(
            "{}{road}{}号{community}{}栋{}单元{}室",
            unit.area,
            rng.range(1, 399),
            rng.range(1, 32),
            rng.range(1, 6),
            rng.range(1, 28) * 100 + rng.range(1, 4)
        );
        (community.to_string(), addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_have_valid_check_digits() {
        // Published GB 11643 example: 11010519491231002X.
        assert_eq!(id_check_digit("11010519491231002"), 'X');
        let mut rng = Rng::new(3);
        for _ in 0..100 {
            let id = id_number(&mut rng);
            assert_eq!(id.len(), 18);
            assert_eq!(id.chars().last(), Some(id_check_digit(&id[..17])));
        }
    }

    #[test]
    fn mobiles_and_customer_ids_have_export_shapes() {
        let mut rng = Rng::new(5);
        for _ in 0..100 {
            let m = mobile(&mut rng);
            assert!(m.len() == 11 && m.starts_with('1') && m.bytes().all(|b| b.is_ascii_digit()));
            let c = customer_id(&mut rng);
            assert!(c.len() == 10 && !c.starts_with('0'));
        }
    }

    #[test]
    fn surname_handles_compound_names() {
        assert_eq!(surname("欧阳娜"), "欧阳");
        assert_eq!(surname("王芳"), "王");
    }
}
