//! Makes the built-in dictionary image: jieba's general dictionary plus
//! `pipelines/dict/power.dict`, loaded once here so that every kesu process
//! copies the finished tables instead of inserting 349 632 words (~0.1 s
//! of work on one core; see `Segmenter::new` and vendor/jieba-rs/PATCHES.md).

use std::path::PathBuf;

#[path = "src/dict_line.rs"]
mod dict_line;

const POWER_DICT: &str = "../../pipelines/dict/power.dict";

fn main() {
    println!("cargo::rerun-if-changed={POWER_DICT}");
    println!("cargo::rerun-if-changed=src/dict_line.rs");
    let text = std::fs::read_to_string(POWER_DICT).expect("reading pipelines/dict/power.dict");
    let mut jieba = jieba_rs::Jieba::new();
    for (idx, line) in text.lines().enumerate() {
        match dict_line::parse_dict_line(line) {
            Ok(Some(l)) => {
                jieba.add_word(l.word, l.freq, l.tag);
            }
            Ok(None) => {}
            Err(e) => panic!("pipelines/dict/power.dict line {}: {e}", idx + 1),
        }
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR")).join("power.jieba");
    std::fs::write(&out, jieba.to_image()).expect("writing the dictionary image");
}
