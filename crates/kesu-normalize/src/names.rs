//! Finding people's names in free complaint text (工作人员王建国, 抄表员李师傅, 联系了张经理).
//!
//! A name is only looked for next to a context word: a role in front of it
//! (工作人员, 抄表员, 客户经理, 联系人…) or a title after it (先生, 师傅,
//! 经理, 所长…). Without one, a surname character is far more often the
//! start of an ordinary word (高于国家, 周末, 马上) than a name, and
//! kesu-normalize cannot ask the segmenter (kesu-segment depends on this
//! crate, not the other way round).
//!
//! Next to a context word, a candidate `surname + 0–2 given characters` is
//! still rejected when the surname and the next character form a frequent
//! word (工作人员马上到场, 师傅周末上门), or when the character before a
//! surname ends a word with it (线路李师傅 is 李, not 路李). Those words are
//! `data/common_words.txt`, the two-character words of jieba's dictionary
//! that begin or end with a surname (made by `data/make_common_words.py`).

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

/// Single-character surnames common enough to be worth masking. Characters
/// that are mostly prepositions (向, 和) are left out: "向师傅反映" is not a name.
pub(crate) const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝";

/// Two-character surnames (百家姓's compound ones), tried before the single ones.
/// 西门 and 东郭 are left out: in an address text they are a gate and a place.
pub(crate) const COMPOUND_SURNAMES: [&str; 34] = [
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "尉迟", "公孙", "长孙", "宇文",
    "司徒", "夏侯", "端木", "申屠", "轩辕", "独孤", "南宫", "百里", "呼延", "澹台", "太史", "公冶",
    "宗政", "濮阳", "淳于", "单于", "赫连", "钟离", "闻人", "万俟", "拓跋", "左丘",
];

/// Titles that follow a name (张先生, 王建国经理, 欧阳娜娜女士).
const TITLES: [&str; 20] = [
    "先生", "女士", "小姐", "师傅", "经理", "主任", "所长", "站长", "班长", "科长", "处长", "局长",
    "队长", "组长", "同志", "老师", "阿姨", "大姐", "大爷", "大妈",
];

/// Roles and labels that precede a name (工作人员王建国, 联系人：张三).
/// Longer alternatives first, so 客户经理 wins over 经理.
const ROLES: [&str; 72] = [
    "工作人员",
    "维修人员",
    "抢修人员",
    "施工人员",
    "客服人员",
    "服务人员",
    "营业人员",
    "客户经理",
    "台区经理",
    "社区经理",
    "一个叫",
    "名字叫",
    "抄表员",
    "营业员",
    "收费员",
    "话务员",
    "检查员",
    "稽查员",
    "装表员",
    "网格员",
    "业务员",
    "计量员",
    "催费员",
    "值班员",
    "调度员",
    "维修工",
    "联系人",
    "负责人",
    "投诉人",
    "报修人",
    "申请人",
    "经办人",
    "处理人",
    "签字人",
    "父亲",
    "母亲",
    "丈夫",
    "妻子",
    "爱人",
    "老伴",
    "儿子",
    "女儿",
    "哥哥",
    "姐姐",
    "弟弟",
    "妹妹",
    "本人",
    "家属",
    "邻居",
    "房东",
    "租户",
    "电工",
    "班长",
    "所长",
    "站长",
    "主任",
    "经理",
    "师傅",
    "客服",
    "坐席",
    "员工",
    "职工",
    "人员",
    "司机",
    "姓名",
    "户主",
    "户名",
    "业主",
    "名叫",
    "叫做",
    "客户",
    "用户",
];

/// Characters that do not start or continue a given name here: particles,
/// verbs and nouns that follow a name in complaint texts (王强说, 刘强到场,
/// 张伟未按时), and time words (客户于今日).
const NOT_GIVEN: &str = "的了在是和与及跟同向对把被给让叫找说称讲问到来去回也都就又还已未没不很这那该此每各位名个们等或电话号码市区县镇村路街室楼栋单元所局站部处科班组队中上下内外前后日月年天时分点次再才却并但而且从自为以因将要会能可想请帮打拨接挂态表示告答复拒推辱骂承诺声随当直私擅故负检维抢抄收语敷今昨早晚第";

/// Surnames that, right after a role word, start an ordinary word far more
/// often than a name (于 preposition, 边…边… "while", 白 "in vain").
const ROLE_THEN_WORD: &str = "于边白";

/// Two-character words that begin right after a name (王芳拒绝, 李华态度):
/// the name stops before them even when their first character could be a
/// given name's.
const AFTER_NAME: [&str; 30] = [
    "态度", "拒绝", "表示", "告知", "答复", "回复", "上门", "到场", "现场", "处理", "解释", "推诿",
    "辱骂", "服务", "工作", "接待", "接听", "联系", "承诺", "答应", "声称", "要求", "多次", "一直",
    "办理", "负责", "上班", "值班", "下班", "经手",
];

/// jieba frequency from which a word starting with a surname blocks even a
/// three-character name: 高于国家 and 周末上门 are not names, 徐海燕 is
/// (徐海 is a rarer place name).
const VERY_COMMON: u32 = 300;

static COMMON_WORDS: LazyLock<HashMap<(char, char), u32>> = LazyLock::new(|| {
    include_str!("../data/common_words.txt")
        .lines()
        .filter_map(|line| {
            let (word, freq) = line.split_once('\t')?;
            let mut c = word.chars();
            Some(((c.next()?, c.next()?), freq.parse().ok()?))
        })
        .collect()
});

fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c)
}

/// jieba's frequency of the word `ab` (0 when it is not in the list).
fn word_frequency(a: char, b: char) -> u32 {
    COMMON_WORDS.get(&(a, b)).copied().unwrap_or(0)
}

fn is_common_word(a: char, b: char) -> bool {
    word_frequency(a, b) > 0
}

/// Whether `surname + first given character` is too much of a word for a
/// name of `given` given characters.
fn starts_a_word(surname: char, first_given: char, given: usize) -> bool {
    let freq = word_frequency(surname, first_given);
    if given >= 2 {
        freq >= VERY_COMMON
    } else {
        freq > 0
    }
}

fn is_surname(c: char) -> bool {
    SURNAMES.contains(c)
}

fn can_be_given(c: char) -> bool {
    is_han(c) && !NOT_GIVEN.contains(c)
}

/// The compiled context-word patterns.
pub(crate) struct NameFinder {
    titles: Regex,
    roles: Regex,
}

impl NameFinder {
    pub(crate) fn new() -> Result<NameFinder, regex::Error> {
        Ok(NameFinder {
            titles: Regex::new(&TITLES.join("|"))?,
            // Literals only, so that the regex engine searches with its
            // literal prefilter alone; the separator after a role is skipped
            // by `after_role`.
            roles: Regex::new(&ROLES.join("|"))?,
        })
    }

    /// Byte spans of the names in `text` (possibly overlapping; the caller resolves).
    pub(crate) fn find(&self, text: &str, mut found: impl FnMut(usize, usize)) {
        for m in self.titles.find_iter(text) {
            if let Some(start) = name_before(text, m.start()) {
                found(start, m.start());
            }
        }
        for (i, _) in text.match_indices('姓') {
            if let Some(end) = surname_after_xing(text, i + '姓'.len_utf8()) {
                found(i + '姓'.len_utf8(), end);
            }
        }
        for m in self.roles.find_iter(text) {
            let at = after_role(text, m.end());
            if let Some(end) = name_after(text, at) {
                found(at, end);
            }
        }
    }
}

/// Where a name after a role word ending at `at` starts: past one separator
/// (`:`, `：`, a space) or 为/是, if there is one (联系人：张三, 负责人为李四).
fn after_role(text: &str, at: usize) -> usize {
    match text[at..].chars().next() {
        Some(c @ (':' | '：' | ' ' | '为' | '是')) => at + c.len_utf8(),
        _ => at,
    }
}

/// Whether a title starts at byte `at`.
fn title_at(text: &str, at: usize) -> bool {
    TITLES.iter().any(|t| text[at..].starts_with(t))
}

/// The start of a name ending right before a title at `at`, if any: the
/// longest of `surname + 2`, `surname + 1` given characters that reads as a
/// name, else a bare surname (张经理).
fn name_before(text: &str, at: usize) -> Option<usize> {
    // Up to five characters back: a compound surname and two given ones.
    let back: Vec<(usize, char)> = text[..at].char_indices().rev().take(5).collect();
    let chars: Vec<char> = back.iter().map(|(_, c)| *c).collect();
    // `chars[0]` is the character right before the title.
    for given in [2usize, 1] {
        if chars.len() < given + 1 || !chars[..given].iter().all(|c| can_be_given(*c)) {
            continue;
        }
        // given characters are chars[given-1..=0]; the first is chars[given-1].
        let first_given = chars[given - 1];
        for compound in COMPOUND_SURNAMES {
            let mut sc = compound.chars();
            let (a, b) = (sc.next()?, sc.next()?);
            if chars.len() >= given + 2 && chars[given] == b && chars[given + 1] == a {
                return Some(back[given + 1].0);
            }
        }
        let surname = match chars.get(given) {
            Some(&c) if is_surname(c) => c,
            _ => continue,
        };
        if starts_a_word(surname, first_given, given) {
            continue;
        }
        // 坐席杜女士: the "surname" ends a role word, so only 杜 is the name.
        let surname_end = back[given - 1].0;
        if ROLES.iter().any(|r| text[..surname_end].ends_with(r)) {
            continue;
        }
        if let Some(&prev) = chars.get(given + 1)
            && is_common_word(prev, surname)
        {
            continue;
        }
        return Some(back[given].0);
    }
    let text_before = &text[..at];
    if let Some(compound) = COMPOUND_SURNAMES.iter().find(|s| text_before.ends_with(*s)) {
        return Some(at - compound.len());
    }
    match chars.first() {
        // 公司经理 is a company's manager, not 司经理.
        Some(&c) if is_surname(c) && !chars.get(1).is_some_and(|&p| is_common_word(p, c)) => {
            Some(back[0].0)
        }
        _ => None,
    }
}

/// The end of a surname right after 姓 (一位姓王的师傅), if one is there and
/// no given name follows (姓名, 姓氏 and 姓王名… are left to the other rules).
fn surname_after_xing(text: &str, at: usize) -> Option<usize> {
    let rest = &text[at..];
    let len = match COMPOUND_SURNAMES.iter().find(|s| rest.starts_with(*s)) {
        Some(s) => s.len(),
        None => rest.chars().next().filter(|c| is_surname(*c))?.len_utf8(),
    };
    let next = rest[len..].chars().next();
    if next.is_some_and(can_be_given) && !title_at(rest, len) {
        return None;
    }
    Some(at + len)
}

/// The end of a name starting at byte `at` (right after a role word), if any.
fn name_after(text: &str, at: usize) -> Option<usize> {
    let rest = &text[at..];
    let (surname_len, after_surname) = match COMPOUND_SURNAMES.iter().find(|s| rest.starts_with(*s))
    {
        Some(s) => (s.len(), &rest[s.len()..]),
        None => {
            let c = rest.chars().next()?;
            // After a role these are nearly always words, not surnames:
            // 客户于昨日来电, 工作人员边玩手机边办业务, 客户白跑一趟.
            if !is_surname(c) || ROLE_THEN_WORD.contains(c) {
                return None;
            }
            (c.len_utf8(), &rest[c.len_utf8()..])
        }
    };
    let surname_last = rest[..surname_len].chars().next_back()?;
    let single = surname_len == surname_last.len_utf8();
    // A title right after the surname is the title rule's (客户王先生).
    if title_at(after_surname, 0) {
        return None;
    }
    let mut given = after_surname.char_indices();
    let (_, g1) = given.next()?;
    if !can_be_given(g1) {
        return None;
    }
    let two_given = given.next().is_some_and(|(i, g2)| {
        let g2_rest = &after_surname[i..];
        !(title_at(after_surname, i)
            || AFTER_NAME.iter().any(|w| g2_rest.starts_with(w))
            || !can_be_given(g2))
    });
    let given_len = 1 + usize::from(two_given);
    // 马上, 高压, 文明: the surname starts a word, not a name.
    if single && starts_a_word(surname_last, g1, given_len) {
        return None;
    }
    let given_bytes: usize = after_surname
        .chars()
        .take(given_len)
        .map(char::len_utf8)
        .sum();
    Some(at + surname_len + given_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<&str> {
        let finder = NameFinder::new().expect("builtin patterns compile");
        let mut out = Vec::new();
        finder.find(text, |s, e| out.push(&text[s..e]));
        out.sort_unstable();
        out.dedup();
        out
    }

    #[test]
    fn names_next_to_context_words() {
        for (text, want) in [
            ("工作人员王建国态度恶劣", vec!["王建国"]),
            ("抄表员李师傅未按时抄表", vec!["李"]),
            ("客户联系了张经理", vec!["张"]),
            ("客户经理张三丰未回复", vec!["张三丰"]),
            ("欧阳娜娜女士来电", vec!["欧阳娜娜"]),
            ("电工刘强说没办法", vec!["刘强"]),
            ("线路李师傅", vec!["李"]),
            ("供电公司张经理", vec!["张"]),
            ("联系人：王建国", vec!["王建国"]),
            ("联系人：徐海燕", vec!["徐海燕"]),
            ("坐席杜女士答复有误", vec!["杜"]),
            ("一位姓王的师傅", vec!["王"]),
            ("姓欧阳，电话", vec!["欧阳"]),
            ("其丈夫葛红军触电", vec!["葛红军"]),
            ("营业员陈丽办理业务", vec!["陈丽"]),
            ("安装人员马虎了事", vec![]),
        ] {
            assert_eq!(names(text), want, "{text}");
        }
    }

    #[test]
    fn ordinary_words_after_roles_are_not_names() {
        for text in [
            "工作人员马上到场",
            "抢修师傅周末上门",
            "抄表员文明服务",
            "客户经理方便时回电",
            "工作人员高于标准收费",
            "工作人员张贴停电通知",
            "人员黄色马甲",
            "客户于今日来电",
            "维修师傅已到场",
            "客户经理常常不接电话",
            "工作人员解释称",
            "客户王府井附近",
            "窗口工作人员边玩手机边办业务",
            "客户白跑一趟",
        ] {
            assert!(names(text).is_empty(), "{text}: {:?}", names(text));
        }
    }

    #[test]
    fn common_words_hold_the_tricky_ones() {
        for w in [
            "马上", "张贴", "李子", "周末", "文明", "方便", "黄色", "高压", "江边", "常常", "高于",
            "线路", "公司",
        ] {
            let mut c = w.chars();
            let (a, b) = (c.next().unwrap_or(' '), c.next().unwrap_or(' '));
            assert!(is_common_word(a, b), "{w}");
        }
        assert!(!is_common_word('王', '建'));
    }

    #[test]
    fn surnames_have_no_duplicates_or_non_han() {
        let mut seen: Vec<char> = SURNAMES.chars().collect();
        assert!(seen.iter().all(|c| is_han(*c)));
        seen.sort_unstable();
        let n = seen.len();
        seen.dedup();
        assert_eq!(seen.len(), n);
    }
}
