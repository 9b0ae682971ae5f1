//! Identity keys read from the complaint text, for repeat blocking when an
//! export has no customer columns (or leaves them empty): operators type the
//! caller's phone, account number and address into 受理内容 instead.
//!
//! Phones and account numbers are what kesu-normalize's detector finds
//! ([`Normalizer::number_spans`]), so the text is scanned by the same rules
//! that mask it. Addresses are not personal-data spans there; they are taken
//! after an address keyword (地址, 家住, 位于 …) and reduced by
//! [`address_key`] to the place name and the house or room number, so that
//! the ways operators write one address meet and a building without its room
//! number meets nobody.

use std::sync::OnceLock;

use kesu_normalize::{Normalizer, PiiKind};
use regex::Regex;

/// What the text says about who complained (each value in key form).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextIdentity {
    /// Phone numbers (mobile or landline), digits only.
    pub phones: Vec<String>,
    /// Account / customer numbers, letters and digits only.
    pub accounts: Vec<String>,
    /// Addresses with a room or house number, as [`address_key`] gives them.
    pub addresses: Vec<String>,
}

/// An address keyword and what follows it up to the next punctuation.
fn address_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // INVARIANT: a constant pattern, compiled by the unit tests.
        Regex::new(r"(?:住址|住在|家住|地址|位于|住)[:：是为在]?\s*([^，。；;,！!？?\s（()]{4,60})")
            .expect("address pattern compiles")
    })
}

/// Phones, account numbers and addresses in a normalised complaint text.
pub fn text_identity(normalizer: &Normalizer, text: &str) -> TextIdentity {
    let mut id = TextIdentity::default();
    for span in normalizer.number_spans(text) {
        let value = &text[span.start..span.end];
        match span.kind {
            PiiKind::Mobile | PiiKind::Landline => {
                id.phones
                    .push(value.chars().filter(char::is_ascii_digit).collect());
            }
            PiiKind::Account => {
                id.accounts
                    .push(value.chars().filter(char::is_ascii_alphanumeric).collect());
            }
            _ => {}
        }
    }
    for cap in address_regex().captures_iter(text) {
        if let Some(key) = cap.get(1).and_then(|m| address_key(m.as_str())) {
            id.addresses.push(key);
        }
    }
    id
}

/// What a number in an address counts: a building, a unit, a floor, a
/// village group, a house or room, or (`号` before more numbers) a road number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Building,
    Unit,
    Floor,
    Group,
    Number,
    Room,
    Dash,
}

/// Unit words after a number, longest first, and what they mean.
const UNIT_WORDS: [(&str, Part); 13] = [
    ("号楼", Part::Building),
    ("单元", Part::Unit),
    ("栋", Part::Building),
    ("幢", Part::Building),
    ("座", Part::Building),
    ("层", Part::Floor),
    ("楼", Part::Floor),
    ("组", Part::Group),
    ("号", Part::Number),
    ("室", Part::Room),
    ("房", Part::Room),
    ("户", Part::Room),
    ("-", Part::Dash),
];

/// Numbers in a row and the part each counts (`None`: no unit word).
type Chain = Vec<(u64, Option<Part>)>;

/// Characters ending an administrative prefix (省, 市, 区, 县, 镇, 乡).
const ADMIN: [char; 6] = ['省', '市', '区', '县', '镇', '乡'];

/// The key form of an address: the place name right before its last chain
/// of numbers (after the last district, town … word: operators leave those
/// out) and that chain with 幢/号楼/座 read as 栋 and 室/房/户 dropped.
/// `None` when the chain has no room or house number after a building,
/// unit or group (`阳光花园3栋2单元`, `人民路12号`): a building is not a
/// customer.
pub fn address_key(address: &str) -> Option<String> {
    let chars: Vec<char> = address.chars().filter(|c| !c.is_whitespace()).collect();
    // Chains of (number, part), with where each starts.
    let mut chains: Vec<(usize, Chain)> = Vec::new();
    let mut i = 0;
    let mut chain_open = false;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            chain_open = false;
            i += 1;
            continue;
        }
        let start = i;
        let mut n: u64 = 0;
        while i < chars.len() && chars[i].is_ascii_digit() {
            n = n
                .saturating_mul(10)
                .saturating_add(u64::from(chars[i] as u32 - '0' as u32));
            i += 1;
        }
        let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
        let part = UNIT_WORDS
            .iter()
            .find(|(w, _)| rest.starts_with(w))
            .map(|&(w, p)| {
                i += w.chars().count();
                p
            });
        if !chain_open {
            chains.push((start, Vec::new()));
        }
        if let Some((_, parts)) = chains.last_mut() {
            parts.push((n, part));
        }
        // A number without a unit word ends its chain unless a digit follows a dash.
        chain_open = part.is_some() && i < chars.len() && chars[i].is_ascii_digit();
    }
    let (start, parts) = chains.into_iter().rev().find(|(_, parts)| {
        parts.len() >= 2
            && matches!(
                parts.last().map(|p| p.1),
                Some(None | Some(Part::Room) | Some(Part::Number))
            )
    })?;
    // The place name: letters right before the chain, after the last
    // administrative word and without a road number's 号.
    let mut from = start;
    while from > 0 && !chars[from - 1].is_ascii_digit() {
        from -= 1;
    }
    let name: String = chars[from..start].iter().collect();
    let name = name.trim_start_matches('号');
    let name = name
        .split_inclusive(ADMIN)
        .rfind(|s| !s.is_empty())
        .unwrap_or("");
    if name.chars().count() < 2 {
        return None;
    }
    let mut key = name.to_owned();
    let last = parts.len() - 1;
    for (k, (n, part)) in parts.into_iter().enumerate() {
        key.push_str(&n.to_string());
        key.push_str(match part {
            Some(Part::Building) => "栋",
            Some(Part::Unit) => "单元",
            Some(Part::Floor) => "层",
            Some(Part::Group) => "组",
            Some(Part::Number) if k < last => "号",
            Some(Part::Dash) => "-",
            _ => "",
        });
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ways_of_writing_one_address_meet() {
        let full = address_key("城中区人民路12号阳光花园3栋2单元501室");
        assert_eq!(full.as_deref(), Some("阳光花园3栋2单元501"));
        for variant in [
            "人民路12号阳光花园3栋2单元501室",
            "阳光花园3栋2单元501室",
            "阳光花园3幢2单元501",
            "城中区人民路12号阳光花园 3号楼2单元501房",
        ] {
            assert_eq!(address_key(variant), full, "{variant}");
        }
        let rural = address_key("城东区李庄镇王村3组12号");
        assert_eq!(rural.as_deref(), Some("王村3组12"));
        assert_eq!(address_key("王村3组12号"), rural);
        assert_eq!(address_key("李庄镇王村3组12号"), rural);
    }

    #[test]
    fn an_address_without_its_room_is_nobody() {
        assert_eq!(address_key("阳光花园3栋2单元"), None);
        assert_eq!(address_key("城中区人民路12号"), None);
        assert_eq!(address_key("阳光花园"), None);
        assert_ne!(
            address_key("阳光花园3栋2单元501室"),
            address_key("阳光花园3栋2单元502室")
        );
        assert_ne!(
            address_key("阳光花园3栋2单元501室"),
            address_key("翠湖小区3栋2单元501室")
        );
        assert_eq!(
            address_key("城中区翠湖小区3栋2单元501室").as_deref(),
            Some("翠湖小区3栋2单元501")
        );
    }

    #[test]
    fn phones_accounts_and_addresses_are_read_from_text() {
        let n = Normalizer::builtin();
        let text = "客户来电反映停电，回访电话 138 1234 5678。户号：1234567890。客户家住阳光花园3幢2单元501，请尽快处理。";
        let id = text_identity(&n, &n.normalize(text));
        assert_eq!(id.phones, ["13812345678"]);
        assert_eq!(id.accounts, ["1234567890"]);
        assert_eq!(id.addresses, ["阳光花园3栋2单元501"]);
        let none = text_identity(&n, "客户反映阳光花园3栋电压低，多次停电。");
        assert_eq!(none, TextIdentity::default());
    }
}
