//! Step 5, gaps: the management gap of the taxonomy whose cue terms carry
//! most of a cause's top-term weight, or "unmapped: possible new gap".

use super::{GapMatch, UNMAPPED};
use crate::taxonomy::{Taxonomy, cue_matches};

/// The gap of a cause with these top terms.
pub(super) fn map_gap(top: &[(String, f64)], taxonomy: &Taxonomy) -> GapMatch {
    let total: f64 = top.iter().map(|t| t.1).sum::<f64>().max(f64::MIN_POSITIVE);
    let mut best: Option<(usize, f64)> = None;
    for (g, gap) in taxonomy.gaps.iter().enumerate() {
        let s: f64 = top
            .iter()
            .filter(|(t, _)| gap.cues.iter().any(|c| cue_matches(t, c)))
            .map(|t| t.1)
            .sum::<f64>()
            / total;
        if best.is_none_or(|b| s > b.1) {
            best = Some((g, s));
        }
    }
    match best {
        Some((g, score)) if score >= taxonomy.min_gap_score => {
            let gap = &taxonomy.gaps[g];
            GapMatch {
                gap_id: Some(gap.id.clone()),
                name: gap.name.clone(),
                score,
                remedy: gap.remedy.clone(),
                post: gap.post.clone(),
                quadrant: gap.quadrant.clone(),
            }
        }
        other => GapMatch {
            gap_id: None,
            name: UNMAPPED.to_owned(),
            score: other.map_or(0.0, |b| b.1),
            remedy: String::new(),
            post: String::new(),
            quadrant: String::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gap_mapping_uses_cues_and_reports_unmapped() {
        let tax = Taxonomy::builtin().unwrap();
        let top: Vec<(String, f64)> = vec![
            ("抢修".into(), 0.5),
            ("迟迟".into(), 0.3),
            ("小区".into(), 0.2),
        ];
        let g = map_gap(&top, &tax);
        assert_eq!(g.gap_id.as_deref(), Some("slow_repair"));
        assert_eq!(g.post, "电力紧急服务");
        let none: Vec<(String, f64)> = vec![("光伏".into(), 0.6), ("并网".into(), 0.4)];
        let g = map_gap(&none, &tax);
        assert_eq!(g.gap_id, None);
        assert_eq!(g.name, UNMAPPED);
    }
}
