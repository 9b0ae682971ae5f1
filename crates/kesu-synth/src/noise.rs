//! The noise of real operator text: pinyin-IME homophone typos, traditional
//! characters (paste from Hong Kong/Taiwan sources or a 繁体 input method), and
//! full-width digits.

/// Homophone substitutions a pinyin input method produces (correct, typo).
pub const TYPOS: &[(&str, &str)] = &[
    ("反映", "反应"),
    ("已经", "以经"),
    ("及时", "即时"),
    ("账单", "帐单"),
    ("停电", "停店"),
    ("电费", "点费"),
    ("电表", "点表"),
    ("报修", "保修"),
    ("抢修", "强修"),
    ("通知", "通之"),
    ("再次", "在次"),
    ("安装", "按装"),
    ("检查", "检察"),
    ("部门", "部们"),
    ("处理", "处里"),
    ("现在", "现再"),
    ("供电", "共电"),
    ("电压", "电鸭"),
    ("投诉", "头诉"),
    ("工作人员", "工做人员"),
];

/// Common simplified → traditional pairs in complaint text. Only unambiguous
/// one-to-one pairs are listed (系 → 係/繫, 发 → 發/髮 … are left out).
pub const TRADITIONAL: &[(char, char)] = &[
    ('电', '電'),
    ('费', '費'),
    ('问', '問'),
    ('题', '題'),
    ('线', '線'),
    ('户', '戶'),
    ('压', '壓'),
    ('维', '維'),
    ('复', '復'),
    ('时', '時'),
    ('间', '間'),
    ('务', '務'),
    ('营', '營'),
    ('业', '業'),
    ('厅', '廳'),
    ('单', '單'),
    ('号', '號'),
    ('区', '區'),
    ('县', '縣'),
    ('门', '門'),
    ('应', '應'),
    ('处', '處'),
    ('报', '報'),
    ('装', '裝'),
    ('计', '計'),
    ('员', '員'),
    ('态', '態'),
    ('满', '滿'),
    ('长', '長'),
    ('过', '過'),
    ('检', '檢'),
    ('现', '現'),
    ('场', '場'),
    ('车', '車'),
    ('话', '話'),
    ('来', '來'),
    ('说', '說'),
    ('们', '們'),
    ('这', '這'),
    ('没', '沒'),
    ('还', '還'),
    ('请', '請'),
    ('给', '給'),
    ('对', '對'),
    ('为', '為'),
    ('开', '開'),
    ('关', '關'),
    ('灯', '燈'),
    ('变', '變'),
    ('动', '動'),
    ('楼', '樓'),
    ('栋', '棟'),
    ('转', '轉'),
    ('联', '聯'),
    ('续', '續'),
    ('网', '網'),
    ('让', '讓'),
    ('认', '認'),
    ('进', '進'),
    ('经', '經'),
    ('实', '實'),
    ('际', '際'),
    ('设', '設'),
    ('备', '備'),
    ('产', '產'),
    ('权', '權'),
    ('阶', '階'),
    ('价', '價'),
    ('扰', '擾'),
    ('声', '聲'),
    ('办', '辦'),
    ('难', '難'),
    ('钱', '錢'),
    ('补', '補'),
    ('赔', '賠'),
    ('损', '損'),
    ('坏', '壞'),
    ('烧', '燒'),
    ('热', '熱'),
    ('样', '樣'),
    ('几', '幾'),
    ('个', '個'),
    ('两', '兩'),
    ('严', '嚴'),
    ('响', '響'),
    ('缴', '繳'),
    ('预', '預'),
    ('额', '額'),
    ('显', '顯'),
    ('异', '異'),
    ('换', '換'),
    ('迁', '遷'),
    ('树', '樹'),
    ('离', '離'),
    ('险', '險'),
    ('隐', '隱'),
    ('语', '語'),
    ('抢', '搶'),
    ('称', '稱'),
    ('约', '約'),
    ('视', '視'),
    ('馈', '饋'),
    ('级', '級'),
    ('贵', '貴'),
    ('东', '東'),
    ('纸', '紙'),
    ('导', '導'),
    ('结', '結'),
    ('运', '運'),
];

/// Replaces the first occurrence of one applicable homophone typo, chosen by `pick`.
pub fn typo(text: &mut String, pick: u64) {
    let n = TYPOS.len();
    let start = (pick % n as u64) as usize;
    for k in 0..n {
        let (right, wrong) = TYPOS[(start + k) % n];
        if let Some(pos) = text.find(right) {
            text.replace_range(pos..pos + right.len(), wrong);
            return;
        }
    }
}

/// Converts characters to traditional. With `every == 1` the whole text is
/// converted; larger values convert every `every`-th convertible character
/// (mixed text, as after a partial copy-paste).
pub fn to_traditional(text: &str, every: usize) -> String {
    let every = every.max(1);
    let mut seen = 0usize;
    text.chars()
        .map(|c| match TRADITIONAL.iter().find(|(s, _)| *s == c) {
            Some(&(_, t)) => {
                seen += 1;
                if seen.is_multiple_of(every) { t } else { c }
            }
            None => c,
        })
        .collect()
}

/// ASCII digits → full-width digits (０-９), as some input methods type them.
pub fn fullwidth_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap_or(c),
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn typo_changes_one_known_word() {
        let mut t = String::from("客户来电反映停电未通知");
        typo(&mut t, 0);
        assert_eq!(t, "客户来电反应停电未通知");
        let mut none = String::from("没有可替换的词");
        typo(&mut none, 3);
        assert_eq!(none, "没有可替换的词");
    }

    #[test]
    fn traditional_conversion_full_and_partial() {
        assert_eq!(to_traditional("电费问题", 1), "電費問題");
        assert_eq!(to_traditional("电费问题", 2), "电費问題");
    }

    #[test]
    fn fullwidth_digits_converts_only_digits() {
        assert_eq!(fullwidth_digits("停电3次, 138"), "停电３次, １３８");
    }

    proptest! {
        #[test]
        fn conversions_keep_character_count(s in "\\PC{0,40}") {
            prop_assert_eq!(to_traditional(&s, 1).chars().count(), s.chars().count());
            prop_assert_eq!(fullwidth_digits(&s).chars().count(), s.chars().count());
        }
    }
}
