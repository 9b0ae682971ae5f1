//! Finding personal data (phones, ID and account numbers, meters, e-mail and street
//! addresses, names) in complaint text. Names are found in `names.rs`.
//!
//! Detection works on byte spans of the text it is given. Every detector
//! proposes candidates with a rank; candidates touching a digit run are
//! widened to the whole run, and overlaps are resolved by rank. Widening is
//! what makes the masks safe: a mask then always sees a whole number, so no
//! digits it keeps can join digits outside it into a new phone or ID number.

use std::collections::BTreeMap;

use regex::Regex;
use serde::Serialize;

use crate::config::DIGIT;
use crate::names::NameFinder;
use crate::{Error, Result};

/// Name of a road or compound: 1–6 Han characters that are not the words
/// leading up to an address (住在, 位于, 地址：), so the span starts at the name.
const ADDRESS_NAME: &str = r"[\p{Han}&&[^在于住址是为到至的与及、，。：:；客户反映称诉求要]]{1,6}";
/// Road words ending the name of a street.
const ROAD: &str = "大道|大街|路|街|巷|弄|胡同";
/// Words ending the name of a residential compound.
const COMPOUND: &str = "小区|花园|家园|新村|公寓|大厦|苑|社区|嘉园|名苑|新城|公馆";
/// A house, building, unit or room number, or its earlier mask.
const NUM: &str = r"[0-9０-９*＊]{1,5}";

/// The kind of personal data a span holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PiiKind {
    /// Mobile number (11 digits, `1[3-9]…`), possibly with separators or already partly masked.
    Mobile,
    /// Landline with area code, or a 7–8 digit number right after 电话/座机.
    Landline,
    /// 18-character resident ID number (居民身份证号).
    IdCard,
    /// Account, customer or bank-card number, or any other long digit run.
    Account,
    /// Electricity meter number (表号).
    Meter,
    /// A person's name next to a role or title (工作人员王建国, 张先生, 李师傅):
    /// the name part only, the role or title word stays readable.
    Name,
    /// E-mail address.
    Email,
    /// Street address in free text: road and house number, or residential
    /// compound with building, unit and room (文三路90号, 幸福小区3栋2单元501室).
    Address,
    /// A value the caller knows to be personal (the order's own name, phone, address).
    Known,
}

impl PiiKind {
    /// Stable lower-case name, as used in serialised output.
    pub fn name(self) -> &'static str {
        match self {
            PiiKind::Mobile => "mobile",
            PiiKind::Landline => "landline",
            PiiKind::IdCard => "id_card",
            PiiKind::Account => "account",
            PiiKind::Meter => "meter",
            PiiKind::Name => "name",
            PiiKind::Email => "email",
            PiiKind::Address => "address",
            PiiKind::Known => "known",
        }
    }
}

/// One piece of personal data: its kind and its byte range in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct PiiSpan {
    /// What the span holds.
    pub kind: PiiKind,
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset one past the last character.
    pub end: usize,
}

/// A detected span plus how to mask it: keep the first `keep_head` and last
/// `keep_tail` maskable characters, star the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Finding {
    pub span: PiiSpan,
    pub keep_head: usize,
    pub keep_tail: usize,
}

/// Overlap priority: a lower rank wins. The caller's own values come first,
/// keyword-anchored numbers next (the keyword says what they are), structural
/// shapes after, and the loosest guess (a surname) last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Known,
    Email,
    IdAfterKeyword,
    GroupedId,
    AccountPattern,
    MeterPattern,
    Mobile,
    Landline,
    DigitRun,
    LandlineAfterKeyword,
    Address,
    Name,
}

struct Candidate {
    rank: Rank,
    finding: Finding,
}

pub(crate) fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

fn is_star(c: char) -> bool {
    c == '*' || c == '＊'
}

/// Characters a number-like mask replaces: digits, letters of account or
/// meter numbers, and stars of an earlier mask (so re-masking keeps the shape).
fn is_number_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ') || is_star(c)
}

/// Whether a character of a span of this kind is replaced (or kept) by the mask.
pub(crate) fn is_maskable(kind: PiiKind, c: char) -> bool {
    match kind {
        PiiKind::Name | PiiKind::Known => !c.is_whitespace(),
        // Road and compound names stay readable; house, building and room numbers go.
        PiiKind::Address => is_digit(c) || is_star(c),
        PiiKind::Email => c.is_ascii_alphanumeric() || is_star(c) || "._%+-_".contains(c),
        _ => is_number_char(c),
    }
}

/// ISO 7064 MOD 11-2 check of an 18-character resident ID number.
pub(crate) fn id_checksum_ok(chars: &[char]) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    if chars.len() != 18 {
        return false;
    }
    let mut sum = 0;
    for (c, w) in chars.iter().zip(WEIGHTS) {
        match digit_value(*c) {
            Some(d) => sum += d * w,
            None => return false,
        }
    }
    let want = CHECK[(sum % 11) as usize];
    let got = match chars[17] {
        'X' | 'x' | 'Ｘ' | 'ｘ' => 'X',
        c => match digit_value(c) {
            Some(d) => char::from_digit(d, 10).unwrap_or('?'),
            None => return false,
        },
    };
    got == want
}

/// Whether a digit run holds a mobile number anywhere inside it.
fn has_mobile_window(values: &[u32]) -> bool {
    values.windows(11).any(|w| w[0] == 1 && w[1] >= 3)
}

/// Whether a digit run (plus a trailing X, if any) holds a valid ID number anywhere inside it.
fn has_id_window(chars: &[char]) -> bool {
    chars.len() >= 18 && chars.windows(18).any(id_checksum_ok)
}

/// Whether a long digit run reads as a timestamp (yyyyMMddHHmm[ss[SSS]]).
fn is_timestamp(values: &[u32]) -> bool {
    let num = |r: std::ops::Range<usize>| values[r].iter().fold(0, |acc, d| acc * 10 + d);
    if !matches!(values.len(), 12 | 14 | 17) {
        return false;
    }
    let (year, month, day) = (num(0..4), num(4..6), num(6..8));
    let (hour, minute) = (num(8..10), num(10..12));
    let second_ok = values.len() < 14 || num(12..14) < 60;
    (1900..=2099).contains(&year)
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour < 24
        && minute < 60
        && second_ok
}

/// A user pattern and which group holds the value to mask.
struct Pattern {
    regex: Regex,
    group: usize,
}

impl Pattern {
    fn compile(source: &str) -> Result<Pattern> {
        let regex = Regex::new(source).map_err(|e| Error::Pattern {
            pattern: source.to_owned(),
            message: e.to_string(),
        })?;
        let group = regex
            .capture_names()
            .position(|name| name == Some("value"))
            .unwrap_or(if regex.captures_len() > 1 { 1 } else { 0 });
        Ok(Pattern { regex, group })
    }

    fn find_all(&self, text: &str, mut found: impl FnMut(usize, usize)) {
        if self.group == 0 {
            for m in self.regex.find_iter(text) {
                found(m.start(), m.end());
            }
        } else {
            for caps in self.regex.captures_iter(text) {
                if let Some(m) = caps.get(self.group) {
                    found(m.start(), m.end());
                }
            }
        }
    }
}

/// The compiled detectors of one normaliser configuration.
pub(crate) struct Detector {
    mobile: Regex,
    landline: Regex,
    landline_after_keyword: Regex,
    id_after_keyword: Regex,
    grouped_id: Regex,
    email: Regex,
    address: Regex,
    names: NameFinder,
    accounts: Vec<Pattern>,
    meters: Vec<Pattern>,
}

fn builtin_regex(source: &str) -> Result<Regex> {
    Regex::new(source).map_err(|e| Error::Pattern {
        pattern: source.to_owned(),
        message: e.to_string(),
    })
}

impl Detector {
    pub(crate) fn new(account_patterns: &[String], meter_patterns: &[String]) -> Result<Detector> {
        let d = DIGIT;
        let sep = r"[ \-－\x{3000}]";
        let star = "[*＊]";
        Ok(Detector {
            mobile: builtin_regex(&format!(
                r"(?:(?:[+＋]?[8８][6６]){sep}?)?[1１][3-9３-９]{d}(?:{sep}?{d}{{4}}|{sep}?{star}{{4}}){sep}?{d}{{4}}"
            ))?,
            landline: builtin_regex(&format!(
                r"(?:[(（](?P<paren>[0０][1-9１-９]{d}{{1,2}})[)）]{sep}?|(?P<area>[0０][1-9１-９]{d}{{1,2}}){sep}?)(?P<local>{d}{{7,8}}|{d}{{3,4}}{sep}{d}{{4}})"
            ))?,
            landline_after_keyword: builtin_regex(&format!(
                r"(?:电话|座机|固话|联系方式|号码)\s*(?:[:：]|是|为)?\s*(?P<value>{d}{{7,8}}|{d}{{3,4}}[ \-－]{d}{{4}})"
            ))?,
            id_after_keyword: builtin_regex(&format!(
                r"身份证(?:号码|号)?\s*(?:[:：]|是|为)?\s*(?P<value>{d}{{17}}[0-9０-９XxＸｘ])"
            ))?,
            grouped_id: builtin_regex(&format!(
                r"{d}{{6}}(?: (?:{d}{{8}}|{d}{{4}} {d}{{4}}) |[\-－](?:{d}{{8}}|{d}{{4}}[\-－]{d}{{4}})[\-－]){d}{{3}}[0-9０-９XxＸｘ]"
            ))?,
            email: builtin_regex(
                r"[A-Za-z0-9][A-Za-z0-9._%+\-_*＊]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}",
            )?,
            address: builtin_regex(&format!(
                r"{ADDRESS_NAME}村{NUM}组(?:{NUM}号)?|{ADDRESS_NAME}(?:{ROAD}){NUM}号(?:院)?(?:(?:{ADDRESS_NAME})?{NUM}(?:栋|幢|号楼|楼))?(?:{NUM}单元(?:{NUM}(?:室|号)?)?|{NUM}(?:室|号))?|{ADDRESS_NAME}(?:{COMPOUND}){NUM}(?:栋|幢|号楼|号)(?:{NUM}单元(?:{NUM}(?:室|号)?)?|{NUM}(?:室|号))?|{ADDRESS_NAME}{NUM}(?:栋|幢|号楼)(?:{NUM}单元(?:{NUM}室?)?|{NUM}室)"
            ))?,
            names: NameFinder::new().map_err(|e| Error::Pattern {
                pattern: "names".to_owned(),
                message: e.to_string(),
            })?,
            accounts: account_patterns
                .iter()
                .map(|p| Pattern::compile(p))
                .collect::<Result<_>>()?,
            meters: meter_patterns
                .iter()
                .map(|p| Pattern::compile(p))
                .collect::<Result<_>>()?,
        })
    }

    /// Every personal-data finding in `text`, sorted by start and non-overlapping.
    pub(crate) fn find(&self, text: &str, known: &[String]) -> Vec<Finding> {
        self.find_in(text, known, Scope::All).findings
    }

    /// The findings of `scope` in `text`, and whether a candidate lost to an
    /// overlapping better-ranked one (then masking can uncover more).
    pub(crate) fn find_in(&self, text: &str, known: &[String], scope: Scope) -> Resolved {
        let mut candidates = Vec::new();
        let mut push = |rank, kind, start, end, keep_head, keep_tail| {
            if start < end {
                candidates.push(Candidate {
                    rank,
                    finding: Finding {
                        span: PiiSpan { kind, start, end },
                        keep_head,
                        keep_tail,
                    },
                });
            }
        };

        for value in known {
            for start in occurrences(text, value) {
                push(
                    Rank::Known,
                    PiiKind::Known,
                    start,
                    start + value.len(),
                    0,
                    0,
                );
            }
        }
        let clusters = numeric_clusters(text);
        let longest_run = clusters.iter().map(|c| c.longest_run).max().unwrap_or(0);
        if longest_run >= 17 {
            for caps in self.id_after_keyword.captures_iter(text) {
                if let Some(m) = caps.name("value")
                    && !digit_after(text, m.end())
                {
                    push(
                        Rank::IdAfterKeyword,
                        PiiKind::IdCard,
                        m.start(),
                        m.end(),
                        6,
                        4,
                    );
                }
            }
        }
        // Custom patterns may match letters too, so they always run.
        for p in &self.accounts {
            p.find_all(text, |s, e| {
                push(Rank::AccountPattern, PiiKind::Account, s, e, 2, 2)
            });
        }
        for p in &self.meters {
            p.find_all(text, |s, e| {
                push(Rank::MeterPattern, PiiKind::Meter, s, e, 2, 2)
            });
        }
        // Phones are searched only inside clusters long enough to hold one,
        // which keeps the regexes off the Chinese text around them.
        for cluster in &clusters {
            if cluster.digits + cluster.stars >= 11 {
                self.find_mobiles(text, cluster, &mut push);
            }
            if cluster.digits >= 10 {
                self.find_landlines(text, cluster, &mut push);
            }
            if cluster.longest_run >= 11 {
                find_digit_runs(text, cluster, &mut push);
            }
            if cluster.digits >= 17 {
                self.find_grouped_ids(text, cluster, &mut push);
            }
        }
        if longest_run >= 7 {
            for caps in self.landline_after_keyword.captures_iter(text) {
                if let Some(m) = caps.name("value")
                    && !digit_after(text, m.end())
                {
                    push(
                        Rank::LandlineAfterKeyword,
                        PiiKind::Landline,
                        m.start(),
                        m.end(),
                        0,
                        2,
                    );
                }
            }
        }
        if scope == Scope::Numbers {
            return resolve(text, candidates);
        }
        self.names
            .find(text, |s, e| push(Rank::Name, PiiKind::Name, s, e, 0, 0));
        if text.contains('@') {
            for m in self.email.find_iter(text) {
                // Keep the first character and the domain, unless the domain
                // holds a long digit run (a number glued to a real address,
                // a0@0.com13812345678.cn): kept, it would leak that number.
                let domain = m.as_str().rsplit('@').next().unwrap_or("");
                let longest_digits = domain
                    .split(|c: char| !c.is_ascii_digit())
                    .map(str::len)
                    .max()
                    .unwrap_or(0);
                let tail = if longest_digits >= 7 {
                    0
                } else {
                    domain
                        .chars()
                        .filter(|c| is_maskable(PiiKind::Email, *c))
                        .count()
                };
                push(Rank::Email, PiiKind::Email, m.start(), m.end(), 1, tail);
            }
        }
        // Every address form holds one of these; most texts hold none, and
        // the pattern's leading Han class would otherwise try every position.
        if text.contains(['号', '栋', '幢', '组']) {
            for m in self.address.find_iter(text) {
                // A number cut short by the pattern's length limit belongs to a
                // longer number (an ID, an account) that its own detector masks;
                // taking it here would mask it differently on a second pass.
                if !digit_after(text, m.end()) {
                    push(Rank::Address, PiiKind::Address, m.start(), m.end(), 0, 0);
                }
            }
        }

        resolve(text, candidates)
    }

    fn find_mobiles(
        &self,
        text: &str,
        cluster: &Cluster,
        push: &mut impl FnMut(Rank, PiiKind, usize, usize, usize, usize),
    ) {
        let haystack = &text[..cluster.end];
        let mut at = cluster.start;
        while let Some(m) = self.mobile.find_at(haystack, at) {
            if digit_before(text, m.start()) || digit_after(text, m.end()) {
                // Part of a longer number: the digit-run scan decides about it.
                // Retry one character further, a shorter match may fit.
                at = next_char_boundary(text, m.start());
                continue;
            }
            // Keep a country code and the first three digits, then the last four.
            let prefix = m
                .as_str()
                .chars()
                .filter(|c| is_digit(*c) || is_star(*c))
                .count()
                .saturating_sub(11);
            push(
                Rank::Mobile,
                PiiKind::Mobile,
                m.start(),
                m.end(),
                prefix + 3,
                4,
            );
            at = m.end();
        }
    }

    /// ID numbers written in groups (`110105 19491231 0021`,
    /// `110105-1949-1231-0021`): checksum-valid, or with a plausible birth date
    /// (a mistyped check digit is still somebody's ID number).
    fn find_grouped_ids(
        &self,
        text: &str,
        cluster: &Cluster,
        push: &mut impl FnMut(Rank, PiiKind, usize, usize, usize, usize),
    ) {
        // The check character X is not a cluster character; let it in.
        let end = cluster.end
            + text[cluster.end..]
                .chars()
                .next()
                .filter(|c| matches!(c, 'X' | 'x' | 'Ｘ' | 'ｘ'))
                .map_or(0, char::len_utf8);
        let haystack = &text[..end];
        let mut at = cluster.start;
        while let Some(m) = self.grouped_id.find_at(haystack, at) {
            if digit_before(text, m.start()) || digit_after(text, m.end()) {
                at = next_char_boundary(text, m.start());
                continue;
            }
            let chars: Vec<char> = m
                .as_str()
                .chars()
                .filter(|c| !matches!(c, ' ' | '-' | '－'))
                .collect();
            let values: Vec<u32> = chars[..17].iter().filter_map(|c| digit_value(*c)).collect();
            let num = |r: std::ops::Range<usize>| values[r].iter().fold(0, |acc, d| acc * 10 + d);
            let birth_ok = (1900..=2099).contains(&num(6..10))
                && (1..=12).contains(&num(10..12))
                && (1..=31).contains(&num(12..14));
            if id_checksum_ok(&chars) || birth_ok {
                push(Rank::GroupedId, PiiKind::IdCard, m.start(), m.end(), 6, 4);
            }
            at = m.end();
        }
    }

    fn find_landlines(
        &self,
        text: &str,
        cluster: &Cluster,
        push: &mut impl FnMut(Rank, PiiKind, usize, usize, usize, usize),
    ) {
        let haystack = &text[..cluster.end];
        let mut at = cluster.start;
        while let Some(caps) = self.landline.captures_at(haystack, at) {
            let Some(whole) = caps.get(0) else { break };
            if digit_before(text, whole.start()) || digit_after(text, whole.end()) {
                at = next_char_boundary(text, whole.start());
                continue;
            }
            let area = caps
                .name("paren")
                .or_else(|| caps.name("area"))
                .map_or(0, |a| a.as_str().chars().count());
            push(
                Rank::Landline,
                PiiKind::Landline,
                whole.start(),
                whole.end(),
                area,
                2,
            );
            at = whole.end();
        }
    }
}

/// Whether a digit (or the star of a mask, which stood for one) touches `at`
/// from the left: then a match starting there is part of a longer number.
fn digit_before(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_some_and(|c| is_digit(c) || is_star(c))
}

/// Whether a digit or mask star follows `at`.
fn digit_after(text: &str, at: usize) -> bool {
    text[at..]
        .chars()
        .next()
        .is_some_and(|c| is_digit(c) || is_star(c))
}

fn next_char_boundary(text: &str, at: usize) -> usize {
    at + text[at..].chars().next().map_or(1, char::len_utf8)
}

/// A maximal stretch of characters a phone number can be written with
/// (digits, separators, parentheses, `+`, mask stars) holding at least one digit.
pub(crate) struct Cluster {
    start: usize,
    end: usize,
    digits: usize,
    stars: usize,
    longest_run: usize,
}

fn is_cluster_char(c: char) -> bool {
    is_digit(c)
        || is_star(c)
        || matches!(
            c,
            '+' | '＋' | '(' | ')' | '（' | '）' | ' ' | '-' | '－' | '\u{3000}'
        )
}

/// Every numeric cluster of `text`, in order.
fn numeric_clusters(text: &str) -> Vec<Cluster> {
    let mut clusters = Vec::new();
    let mut current: Option<Cluster> = None;
    let mut run = 0;
    for (i, c) in text.char_indices() {
        if !is_cluster_char(c) {
            if let Some(cl) = current.take()
                && cl.digits > 0
            {
                clusters.push(cl);
            }
            run = 0;
            continue;
        }
        let cl = current.get_or_insert(Cluster {
            start: i,
            end: i,
            digits: 0,
            stars: 0,
            longest_run: 0,
        });
        cl.end = i + c.len_utf8();
        if is_digit(c) {
            cl.digits += 1;
            run += 1;
            cl.longest_run = cl.longest_run.max(run);
        } else {
            run = 0;
            if is_star(c) {
                cl.stars += 1;
            }
        }
    }
    if let Some(cl) = current
        && cl.digits > 0
    {
        clusters.push(cl);
    }
    clusters
}

/// Classifies every maximal digit run: an exact mobile or ID number, or a
/// long run (account numbers without a keyword, and any run hiding a mobile
/// or ID number inside, even a timestamp).
fn find_digit_runs(
    text: &str,
    cluster: &Cluster,
    push: &mut impl FnMut(Rank, PiiKind, usize, usize, usize, usize),
) {
    let mut chars = text[cluster.start..cluster.end]
        .char_indices()
        .map(|(i, c)| (cluster.start + i, c))
        .peekable();
    let mut run: Vec<char> = Vec::new();
    let mut values: Vec<u32> = Vec::new();
    while let Some((start, c)) = chars.next() {
        if !is_digit(c) {
            continue;
        }
        run.clear();
        values.clear();
        let mut end = start + c.len_utf8();
        run.push(c);
        values.extend(digit_value(c));
        while let Some(&(i, c)) = chars.peek() {
            if !is_digit(c) {
                break;
            }
            run.push(c);
            values.extend(digit_value(c));
            end = i + c.len_utf8();
            chars.next();
        }
        if run.len() < 11 {
            continue;
        }
        // A trailing X belongs to the number when it completes an ID.
        if let Some(x) = text[end..].chars().next()
            && matches!(x, 'X' | 'x' | 'Ｘ' | 'ｘ')
        {
            let tail = &run[run.len().saturating_sub(17)..];
            let mut candidate: Vec<char> = tail.to_vec();
            candidate.push(x);
            if id_checksum_ok(&candidate) {
                let id_start = end - tail.iter().map(|c| c.len_utf8()).sum::<usize>();
                let id_end = end + x.len_utf8();
                if id_start == start {
                    push(Rank::DigitRun, PiiKind::IdCard, start, id_end, 6, 4);
                } else {
                    push(Rank::DigitRun, PiiKind::Account, start, id_end, 2, 2);
                }
                continue;
            }
        }
        let len = run.len();
        if len == 18 && id_checksum_ok(&run) {
            push(Rank::DigitRun, PiiKind::IdCard, start, end, 6, 4);
        } else if len == 11 && values[0] == 1 && values[1] >= 3 {
            push(Rank::DigitRun, PiiKind::Mobile, start, end, 3, 4);
        } else if has_mobile_window(&values)
            || has_id_window(&run)
            || (len >= 12 && !is_timestamp(&values) && !after_letters(text, start))
        {
            push(Rank::DigitRun, PiiKind::Account, start, end, 2, 2);
        }
    }
}

/// Whether an ASCII letter comes right before `at`: the digits are then
/// the tail of a code (work order GD2024030100123, line 10kV), not an
/// account number on their own. Mobile and ID numbers inside are still caught.
fn after_letters(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_alphabetic())
}

/// Which detectors a search runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Every detector: what redaction masks.
    All,
    /// The number detectors only (phones, ID, account and meter numbers, the
    /// configured patterns, known values): no names, e-mail or addresses,
    /// which are the costly free-text searches.
    Numbers,
}

/// The findings of one search.
pub(crate) struct Resolved {
    /// Sorted by start, non-overlapping.
    pub findings: Vec<Finding>,
    /// Whether some candidate overlapped a better-ranked one and was dropped,
    /// or two findings touch: then masking can uncover more.
    pub displaced: bool,
}

/// Widens candidates over the digit runs they touch, then keeps the
/// best-ranked of overlapping candidates; the result is sorted by start.
fn resolve(text: &str, mut candidates: Vec<Candidate>) -> Resolved {
    // Many candidates can sit in one long digit run (a known value repeated
    // inside it); remembering the last run keeps widening linear.
    let mut last_run: Option<(usize, usize)> = None;
    let mut run_around = |at: usize| -> (usize, usize) {
        if let Some((start, end)) = last_run
            && start <= at
            && at < end
        {
            return (start, end);
        }
        let start = at
            - text[..at]
                .chars()
                .rev()
                .take_while(|c| is_digit(*c))
                .map(char::len_utf8)
                .sum::<usize>();
        let end = at
            + text[at..]
                .chars()
                .take_while(|c| is_digit(*c))
                .map(char::len_utf8)
                .sum::<usize>();
        last_run = Some((start, end));
        (start, end)
    };
    for c in &mut candidates {
        let span = &mut c.finding.span;
        if text[span.start..].chars().next().is_some_and(is_digit) {
            span.start = run_around(span.start).0;
        }
        if let Some(last) = text[..span.end].chars().next_back()
            && is_digit(last)
        {
            span.end = run_around(span.end - last.len_utf8()).1;
        }
    }
    candidates.sort_by_key(|c| {
        (
            c.rank,
            c.finding.span.start,
            std::cmp::Reverse(c.finding.span.end),
        )
    });
    // start -> finding; accepted spans never overlap.
    let mut accepted: BTreeMap<usize, Finding> = BTreeMap::new();
    let mut displaced = false;
    for c in candidates {
        let span = c.finding.span;
        let overlaps = accepted
            .range(..span.end)
            .next_back()
            .is_some_and(|(_, f)| f.span.end > span.start);
        if overlaps {
            // The same span found twice (two detectors, or a known value that
            // is also a phone) hides nothing.
            displaced |= accepted
                .get(&span.start)
                .is_none_or(|f| f.span.end != span.end);
        } else {
            accepted.insert(span.start, c.finding);
        }
    }
    let findings: Vec<Finding> = accepted.into_values().collect();
    // A mask changes what its neighbours read: two findings side by side can
    // read as one (an e-mail's local part may hold `*`), and a number after
    // masked letters is no longer a code like GD2024…. Findings amid Chinese
    // text and punctuation, the usual case, have no such neighbours.
    displaced |= findings
        .iter()
        .any(|f| touches_maskable(text, f.span.start, f.span.end));
    Resolved {
        findings,
        displaced,
    }
}

/// Whether the text next to `start..end` (across at most one separator) is
/// something a detector reads differently once the span is masked: ASCII
/// (letters, digits, `@`, `.`), stars, or full-width letters and digits.
fn touches_maskable(text: &str, start: usize, end: usize) -> bool {
    let maskable = |c: char| {
        c.is_ascii_graphic()
            || is_star(c)
            || is_digit(c)
            || c.is_ascii_alphanumeric()
            || ('Ａ'..='Ｚ').contains(&c)
            || ('ａ'..='ｚ').contains(&c)
    };
    let separator = |c: char| matches!(c, ' ' | '-' | '－' | '\u{3000}');
    let mut before = text[..start].chars().rev();
    let mut after = text[end..].chars();
    let near = |it: &mut dyn Iterator<Item = char>| match it.next() {
        Some(c) if separator(c) => it.next().is_some_and(maskable) || maskable(c),
        Some(c) => maskable(c),
        None => false,
    };
    near(&mut before) || near(&mut after)
}

/// Start of every non-overlapping occurrence of `needle` in `hay`, like
/// `str::match_indices`. Known values are searched in every order's text and
/// are rarely there: a `memchr` scan for the first byte rejects most texts
/// without building a substring searcher per value.
fn occurrences<'a>(hay: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let mut from = 0;
    std::iter::from_fn(move || {
        let first = *n.first()?;
        while from + n.len() <= h.len() {
            let at = from + memchr::memchr(first, &h[from..=h.len() - n.len()])?;
            if h[at..].starts_with(n) {
                from = at + n.len();
                return Some(at);
            }
            from = at + 1;
        }
        None
    })
}

#[cfg(test)]
mod tests {

    #[test]
    fn occurrences_match_match_indices() {
        for (hay, needle) in [
            ("张三张三丰张三", "张三"),
            ("aaaa", "aa"),
            ("", "a"),
            ("abc", "abcd"),
            ("客户13812345678来电", "13812345678"),
            ("xyz", "y"),
        ] {
            let want: Vec<usize> = hay.match_indices(needle).map(|(i, _)| i).collect();
            assert_eq!(
                occurrences(hay, needle).collect::<Vec<_>>(),
                want,
                "{hay} / {needle}"
            );
        }
    }
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn id_checksum() {
        assert!(id_checksum_ok(&chars("11010519491231002X")));
        assert!(id_checksum_ok(&chars("11010519491231002x")));
        assert!(id_checksum_ok(&chars("440524188001010014")));
        assert!(!id_checksum_ok(&chars("440524188001010015")));
        assert!(!id_checksum_ok(&chars("44052418800101001")));
        assert!(id_checksum_ok(&chars(
            "４４０５２４１８８００１０１００１４"
        )));
    }

    #[test]
    fn timestamps_are_recognised() {
        let v = |s: &str| s.chars().filter_map(digit_value).collect::<Vec<_>>();
        assert!(is_timestamp(&v("202403011230")));
        assert!(is_timestamp(&v("20240301123059")));
        assert!(is_timestamp(&v("20240301123059123")));
        assert!(!is_timestamp(&v("202413011230")));
        assert!(!is_timestamp(&v("330100123456")));
        assert!(!is_timestamp(&v("2024030112")));
    }

    #[test]
    fn overlaps_resolve_by_rank() {
        let d = Detector::new(&crate::config::default_account_patterns(), &[])
            .expect("builtin patterns compile");
        // The keyword says account, not mobile.
        let f = d.find("账号13812345678", &[]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].span.kind, PiiKind::Account);
        // A known value beats the name guess.
        let f = d.find("张三先生", &["张三".to_owned()]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].span.kind, PiiKind::Known);
    }

    #[test]
    fn spans_widen_to_whole_digit_runs() {
        let d = Detector::new(&[], &[]).expect("builtin patterns compile");
        let text = "x12345678901234567890123y";
        let f = d.find(text, &["4567".to_owned()]);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].span.start, f[0].span.end), (1, text.len() - 1));
    }
}
