//! Which week a rejected row is filed under.
//!
//! A rejected row has no trustworthy receipt time (a bad date is a common
//! reason it was rejected), but exports are written in time order, so the
//! rows around it in its file say which week it came with. A reject is filed
//! under the week of the nearest accepted row before it in the same file
//! (after it when it opens the file), when that week is run; otherwise (a file
//! of rejects only, or a week outside `--week`) under the last week run, so
//! that every reject is still in some week's `rejects` table.

use std::collections::BTreeMap;

use kesu_model::{Reject, SourceRef};

use crate::week::IsoWeek;

/// Files each reject under a week (see the module docs). `accepted` holds
/// every accepted row's source and week, run or not; `run` the weeks this
/// run writes. Rejects keep their input order within a week.
pub(crate) fn file_rejects<'a>(
    accepted: impl IntoIterator<Item = (&'a SourceRef, IsoWeek)>,
    rejects: &[Reject],
    run: &[IsoWeek],
) -> BTreeMap<IsoWeek, Vec<Reject>> {
    let mut by_file: BTreeMap<&str, Vec<(u64, IsoWeek)>> = BTreeMap::new();
    for (source, week) in accepted {
        by_file
            .entry(source.file.as_str())
            .or_default()
            .push((source.line, week));
    }
    for lines in by_file.values_mut() {
        lines.sort_unstable_by_key(|(line, _)| *line);
    }
    let mut filed: BTreeMap<IsoWeek, Vec<Reject>> = BTreeMap::new();
    let Some(&last) = run.iter().max() else {
        return filed;
    };
    for reject in rejects {
        let near = by_file.get(reject.file.as_str()).and_then(|lines| {
            let after = lines.partition_point(|(line, _)| *line < reject.line);
            let at = after.checked_sub(1).unwrap_or(after);
            lines.get(at).map(|(_, week)| *week)
        });
        let week = near.filter(|w| run.contains(w)).unwrap_or(last);
        filed.entry(week).or_default().push(reject.clone());
    }
    filed
}

#[cfg(test)]
mod tests {
    use kesu_model::RejectReason;

    use super::*;

    fn week(n: u32) -> IsoWeek {
        IsoWeek::new(2024, n).expect("a valid week")
    }

    fn source(file: &str, line: u64) -> SourceRef {
        SourceRef {
            file: file.to_owned(),
            line,
        }
    }

    fn reject(file: &str, line: u64) -> Reject {
        Reject {
            file: file.to_owned(),
            line,
            column: None,
            reason: RejectReason::EmptyText,
            raw: String::new(),
        }
    }

    fn lines(filed: &BTreeMap<IsoWeek, Vec<Reject>>, w: IsoWeek) -> Vec<(&str, u64)> {
        filed
            .get(&w)
            .map(|rs| rs.iter().map(|r| (r.file.as_str(), r.line)).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_reject_goes_with_the_row_before_it_in_its_file() {
        let rows = [
            (source("a.csv", 2), week(1)),
            (source("a.csv", 3), week(1)),
            (source("a.csv", 5), week(2)),
            (source("b.csv", 2), week(3)),
        ];
        let rejects = [
            reject("a.csv", 4), // after line 3: week 1
            reject("a.csv", 9), // after line 5: week 2
            reject("b.csv", 1), // opens b.csv: the row after it, week 3
            reject("c.csv", 2), // a file of rejects only: the last week run
        ];
        let filed = file_rejects(
            rows.iter().map(|(s, w)| (s, *w)),
            &rejects,
            &[week(1), week(2), week(3)],
        );
        assert_eq!(lines(&filed, week(1)), [("a.csv", 4)]);
        assert_eq!(lines(&filed, week(2)), [("a.csv", 9)]);
        assert_eq!(lines(&filed, week(3)), [("b.csv", 1), ("c.csv", 2)]);
        let total: usize = filed.values().map(Vec::len).sum();
        assert_eq!(total, rejects.len(), "every reject is filed once");
    }

    #[test]
    fn a_reject_of_a_week_not_run_goes_to_the_last_week_run() {
        let rows = [(source("a.csv", 2), week(1)), (source("a.csv", 4), week(2))];
        let rejects = [reject("a.csv", 3), reject("a.csv", 5)];
        let filed = file_rejects(rows.iter().map(|(s, w)| (s, *w)), &rejects, &[week(2)]);
        assert_eq!(lines(&filed, week(2)), [("a.csv", 3), ("a.csv", 5)]);
        assert!(file_rejects(rows.iter().map(|(s, w)| (s, *w)), &rejects, &[]).is_empty());
    }
}
