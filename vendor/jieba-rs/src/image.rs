//! Dictionary images: a loaded dictionary as bytes, loaded back without
//! parsing or inserting a single word.
//!
//! Added by kesu to its vendored copy of jieba-rs. Loading the 349 046-word
//! default dictionary spends nearly all its time inserting words into the
//! trie, one cache miss per new node; an image stores the finished tables,
//! so loading one is a sequential copy. [`Jieba::to_image`] of a dictionary
//! and [`Jieba::from_image`] of those bytes give a `Jieba` that segments
//! exactly as the original and accepts further words the same way.
//!
//! The format is private to one version of this crate (the trie's hashing
//! is part of it); an image written by another version is refused.

use rustc_hash::FxHashMap;

use crate::trie::CharTrie;
use crate::{Error, Jieba, Record};

const MAGIC: &[u8; 16] = b"jieba-rs image\0\0";
/// Bumped whenever the layout below or the trie tables it stores change.
pub(crate) const FORMAT: u32 = 2;

/// Little-endian writer of an image.
pub(crate) struct ImageWriter(Vec<u8>);

impl ImageWriter {
    pub(crate) fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn i32(&mut self, v: i32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, v: &[u8]) {
        self.u64(v.len() as u64);
        self.0.extend_from_slice(v);
    }
}

/// Little-endian reader of an image; every read is bounds-checked.
pub(crate) struct ImageReader<'a>(&'a [u8]);

impl<'a> ImageReader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if n > self.0.len() {
            return Err("image is truncated".to_owned());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        Ok(self.take(N)?.try_into().expect("took N bytes"))
    }
    pub(crate) fn u32(&mut self) -> Result<u32, String> {
        self.array().map(u32::from_le_bytes)
    }
    pub(crate) fn u64(&mut self) -> Result<u64, String> {
        self.array().map(u64::from_le_bytes)
    }
    /// A count of elements of `size` bytes each that the rest of the image
    /// can hold (so that no count can ask for a huge allocation).
    pub(crate) fn len(&mut self, size: usize) -> Result<usize, String> {
        let n = self.u64()?;
        match usize::try_from(n) {
            Ok(n) if n.checked_mul(size).is_some_and(|b| b <= self.0.len()) => Ok(n),
            _ => Err(format!("count {n} exceeds the image")),
        }
    }
    /// The next `n` records of `N` bytes.
    pub(crate) fn records<const N: usize>(&mut self, n: usize) -> Result<impl Iterator<Item = &'a [u8; N]>, String> {
        let bytes = self.take(n * N)?;
        Ok(bytes
            .chunks_exact(N)
            .map(|r| <&[u8; N]>::try_from(r).expect("chunks of N bytes")))
    }
    fn bytes(&mut self) -> Result<&'a [u8], String> {
        let n = self.len(1)?;
        self.take(n)
    }
}

impl Jieba {
    /// The loaded dictionary (words, frequencies, tags and the trie) as an
    /// image for [`Jieba::from_image`].
    ///
    /// A custom HMM model set with [`Jieba::set_hmm_model`] is not part of
    /// the image; set it again after loading.
    pub fn to_image(&self) -> Vec<u8> {
        let mut out = ImageWriter(Vec::with_capacity(
            64 + self.records.len() * 12 + self.trie.image_len_hint(),
        ));
        out.0.extend_from_slice(MAGIC);
        out.u32(FORMAT);
        out.bytes(env!("CARGO_PKG_VERSION").as_bytes());
        out.u64(self.total as u64);
        out.u64(self.records.len() as u64);
        // Log frequencies are recomputed on load, from the frequencies, as
        // loading a text computes them: the image cannot disagree with them.
        for r in &self.records {
            out.u64(r.freq as u64);
            out.u32(r.tag);
        }
        out.u64(self.tags.len() as u64);
        for tag in &self.tags {
            out.bytes(tag.as_bytes());
        }
        self.trie.write_image(&mut out);
        out.0
    }

    /// Loads a dictionary image made by [`Jieba::to_image`] of this version
    /// of the crate. Malformed or foreign bytes are refused with
    /// [`Error::InvalidDictEntry`], never loaded half-way.
    pub fn from_image(bytes: &[u8]) -> Result<Self, Error> {
        Self::read_image(bytes).map_err(|e| Error::InvalidDictEntry(format!("dictionary image: {e}")))
    }

    fn read_image(bytes: &[u8]) -> Result<Self, String> {
        let mut input = ImageReader(bytes);
        if input.take(MAGIC.len())? != MAGIC {
            return Err("not a jieba-rs dictionary image".to_owned());
        }
        let format = input.u32()?;
        let version = input.bytes()?;
        if format != FORMAT || version != env!("CARGO_PKG_VERSION").as_bytes() {
            return Err(format!(
                "made by jieba-rs {} (format {format}), this is {} (format {FORMAT})",
                String::from_utf8_lossy(version),
                env!("CARGO_PKG_VERSION")
            ));
        }
        let total = usize::try_from(input.u64()?).map_err(|_| "total frequency overflows".to_owned())?;
        let n = input.len(12)?;
        let mut records = Vec::with_capacity(n);
        for r in input.records::<12>(n)? {
            let freq = u64::from_le_bytes(r[0..8].try_into().expect("8 bytes"));
            records.push(Record {
                freq: usize::try_from(freq).map_err(|_| "frequency overflows".to_owned())?,
                tag: u32::from_le_bytes(r[8..12].try_into().expect("4 bytes")),
            });
        }
        // `add_word` adds to and subtracts from the total: it must be the sum.
        let sum = records
            .iter()
            .try_fold(0usize, |sum, r| sum.checked_add(r.freq))
            .ok_or_else(|| "frequencies overflow".to_owned())?;
        if sum != total {
            return Err(format!("total frequency {total} is not the sum of the words' {sum}"));
        }
        let log_freqs: Vec<f64> = records.iter().map(|r| (r.freq as f64).ln()).collect();
        let n_tags = input.len(8)?;
        let mut tags: Vec<Box<str>> = Vec::with_capacity(n_tags);
        let mut tag_ids = FxHashMap::default();
        for id in 0..n_tags {
            let tag = std::str::from_utf8(input.bytes()?).map_err(|_| format!("tag {id} is not UTF-8"))?;
            if tag_ids.insert(Box::from(tag), id as u32).is_some() {
                return Err(format!("tag {tag:?} appears twice"));
            }
            tags.push(Box::from(tag));
        }
        if let Some(i) = records.iter().position(|r| r.tag as usize >= tags.len()) {
            return Err(format!("word {i} has an unknown tag"));
        }
        let trie = CharTrie::read_image(&mut input, records.len())?;
        if !input.0.is_empty() {
            return Err(format!("{} bytes after the end", input.0.len()));
        }
        Ok(Jieba {
            records,
            log_freqs,
            tags,
            tag_ids,
            trie,
            total,
            log_total: (total as f64).ln(),
            hmm_model: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Jieba {
        let mut j = Jieba::empty();
        j.load_dict(&mut "电力 100 n\n停电 80 v\n停电通知 5 n\n抢修 30 vn\n客户 200 n\n".as_bytes())
            .unwrap();
        j
    }

    #[test]
    fn image_round_trips_to_the_same_image_and_cuts() {
        let j = sample();
        let image = j.to_image();
        let k = Jieba::from_image(&image).unwrap();
        assert_eq!(k.to_image(), image);
        let text = "客户反映停电通知未到，电力抢修慢";
        assert_eq!(j.cut(text, false), k.cut(text, false));
        assert_eq!(j.cut_for_search(text, false), k.cut_for_search(text, false));
        assert_eq!(j.tag(text, false), k.tag(text, false));
    }

    #[test]
    fn a_loaded_image_takes_more_words_like_the_original() {
        let mut j = sample();
        let mut k = Jieba::from_image(&j.to_image()).unwrap();
        for jieba in [&mut j, &mut k] {
            jieba.add_word("未到", Some(50), Some("v"));
            jieba.add_word("停电", Some(90), None);
        }
        assert_eq!(j.to_image(), k.to_image());
    }

    #[test]
    fn every_truncation_and_a_foreign_version_are_refused() {
        let image = sample().to_image();
        for cut in 0..image.len() {
            assert!(Jieba::from_image(&image[..cut]).is_err(), "prefix of {cut} bytes");
        }
        let mut longer = image.clone();
        longer.push(0);
        assert!(Jieba::from_image(&longer).is_err());
        let mut foreign = image.clone();
        foreign[MAGIC.len() + 4 + 8] ^= 1; // first byte of the version string
        assert!(Jieba::from_image(&foreign).is_err());
    }

    #[test]
    fn a_table_filled_to_its_load_limit_round_trips() {
        // 1 024 slots hold at most 768 entries before the table grows; an
        // image taken exactly there must load. Words outside the BMP go into
        // the slot table straight from the root, one slot each.
        let mut j = Jieba::empty();
        let mut c = 0x2_0000u32;
        while j.trie.to_len() < 768 {
            let w = char::from_u32(c).unwrap().to_string();
            j.add_word(&w, Some(1), Some("n"));
            c += 1;
        }
        assert_eq!(j.trie.slot_count(), 1024, "the table has not grown yet");
        let k = Jieba::from_image(&j.to_image()).unwrap();
        assert_eq!(k.to_image(), j.to_image());
    }

    #[test]
    fn inconsistent_counts_are_refused() {
        let image = sample().to_image();
        // The total frequency (right after the version string).
        let at = MAGIC.len() + 4 + 8 + env!("CARGO_PKG_VERSION").len();
        let mut bad = image.clone();
        bad[at] ^= 1;
        assert!(Jieba::from_image(&bad).is_err(), "total");
        // The next node id: the last four bytes.
        let mut bad = image.clone();
        let last = bad.len() - 4;
        bad[last] ^= 1;
        assert!(Jieba::from_image(&bad).is_err(), "next node");
        // A later add_word must still work on what loads.
        let mut k = Jieba::from_image(&image).unwrap();
        k.add_word("供电所", Some(3), None);
        assert!(k.has_word("供电所"));
    }

    #[test]
    fn corrupt_bytes_never_panic() {
        let image = sample().to_image();
        // Flip each byte in turn: the load may succeed (a frequency or a
        // filter bit changed) or fail, but never panic, and what loads cuts.
        for i in 0..image.len() {
            let mut bad = image.clone();
            bad[i] ^= 0x5a;
            if let Ok(mut j) = Jieba::from_image(&bad) {
                let _ = j.cut("客户反映停电通知未到", false);
                j.add_word("未到", Some(50), Some("v"));
                j.add_word("停电", Some(90), None);
                let _ = j.cut_for_search("客户反映停电通知未到", false);
            }
        }
    }
}
