use super::*;

fn cluster(terms: &[(&str, f64)], orders: usize) -> WeekCluster {
    WeekCluster {
        terms: terms.iter().map(|(t, w)| (t.to_string(), *w)).collect(),
        orders,
        label: terms.first().map_or(String::new(), |t| t.0.to_owned()),
    }
}

fn key(n: u32) -> CauseKey {
    CauseKey::new(n)
}

fn cfg() -> MatchConfig {
    MatchConfig::default()
}

#[test]
fn first_week_is_all_new_in_cluster_order() {
    let mut reg = Registry::new();
    let m = reg
        .observe_week(
            "2026-W01",
            100,
            &[cluster(&[("电表", 1.0)], 30), cluster(&[("停电", 1.0)], 20)],
            &cfg(),
        )
        .unwrap();
    assert_eq!(m.keys, vec![key(1), key(2)]);
    assert_eq!(m.status, vec![CauseStatus::New, CauseStatus::New]);
    assert_eq!(m.similarity, vec![None, None]);
    assert!(m.splits.is_empty() && m.merges.is_empty());
    let c = reg.cause(key(2)).unwrap();
    assert_eq!((c.first_week.as_str(), c.weeks_seen), ("2026-W01", 1));
    assert_eq!(c.orders["2026-W01"], 20);
}

#[test]
fn keys_follow_causes_not_cluster_order() {
    let mut reg = Registry::new();
    let a = [("电表", 2.0), ("跳字", 1.0)];
    let b = [("停电", 2.0), ("通知", 1.0)];
    reg.observe_week("2026-W01", 100, &[cluster(&a, 30), cluster(&b, 20)], &cfg())
        .unwrap();
    // Mining now ranks the outage cluster first.
    let m = reg
        .observe_week("2026-W02", 100, &[cluster(&b, 31), cluster(&a, 29)], &cfg())
        .unwrap();
    assert_eq!(m.keys, vec![key(2), key(1)]);
    assert_eq!(m.status, vec![CauseStatus::Growing, CauseStatus::Recurring]);
    assert!((m.similarity[0].unwrap() - 1.0).abs() < 1e-9);
    assert_eq!(reg.cause(key(1)).unwrap().weeks_seen, 2);
    assert_eq!(reg.cause(key(1)).unwrap().last_week, "2026-W02");
}

#[test]
fn optimal_keeps_keys_where_greedy_does_not() {
    // Known: A = (x), B = (y). Cluster 1 = x + 0.9y is a little closer to A
    // (0.74) than to B (0.67); cluster 2 = x + z is close to A (0.71) only.
    // Greedy gives A to cluster 1 and leaves cluster 2 a new key; optimal
    // gives 1 → B, 2 → A (total 1.38 against 0.74).
    let week1 = [cluster(&[("x", 1.0)], 10), cluster(&[("y", 1.0)], 10)];
    let week2 = [
        cluster(&[("x", 1.0), ("y", 0.9)], 10),
        cluster(&[("x", 1.0), ("z", 1.0)], 10),
    ];
    let mut optimal = Registry::new();
    optimal.observe_week("w1", 20, &week1, &cfg()).unwrap();
    let mut greedy = optimal.clone();
    let o = optimal.observe_week("w2", 20, &week2, &cfg()).unwrap();
    assert_eq!(o.keys, vec![key(2), key(1)]);
    assert!(o.splits.is_empty());
    let g = greedy
        .observe_week_with("w2", 20, &week2, &cfg(), assign::greedy)
        .unwrap();
    assert_eq!(g.keys, vec![key(1), key(3)]);
    assert_eq!(g.status[1], CauseStatus::Split);
}

#[test]
fn floor_is_respected() {
    let mut reg = Registry::new();
    reg.observe_week("w1", 10, &[cluster(&[("a", 1.0), ("b", 1.0)], 5)], &cfg())
        .unwrap();
    // cos((a,b), (a,c,d,e)) = 1/(√2·2) ≈ 0.35 < 0.4: a new cause.
    let m = reg
        .observe_week(
            "w2",
            10,
            &[cluster(
                &[("a", 1.0), ("c", 1.0), ("d", 1.0), ("e", 1.0)],
                5,
            )],
            &cfg(),
        )
        .unwrap();
    assert_eq!((m.keys[0], m.status[0]), (key(2), CauseStatus::New));
    // With a lower floor the same cluster keeps the key.
    let mut low = Registry::new();
    let cfg_low = MatchConfig {
        similarity_floor: 0.3,
        ..cfg()
    };
    low.observe_week("w1", 10, &[cluster(&[("a", 1.0), ("b", 1.0)], 5)], &cfg_low)
        .unwrap();
    let m = low
        .observe_week(
            "w2",
            10,
            &[cluster(
                &[("a", 1.0), ("c", 1.0), ("d", 1.0), ("e", 1.0)],
                5,
            )],
            &cfg_low,
        )
        .unwrap();
    assert_eq!(m.keys[0], key(1));
}

#[test]
fn split_is_detected_and_recorded() {
    let mut reg = Registry::new();
    let whole = [("a", 1.0), ("b", 1.0), ("c", 1.0), ("d", 1.0)];
    reg.observe_week("w1", 100, &[cluster(&whole, 40)], &cfg())
        .unwrap();
    // The cause comes back as two clusters; (a, b) is 0.71 similar to it.
    let m = reg
        .observe_week(
            "w2",
            100,
            &[cluster(&[("a", 1.0), ("b", 1.0)], 15), cluster(&whole, 25)],
            &cfg(),
        )
        .unwrap();
    assert_eq!(m.keys, vec![key(2), key(1)]);
    assert_eq!(m.status[0], CauseStatus::Split);
    assert!((m.similarity[0].unwrap() - 0.5f64.sqrt()).abs() < 1e-6);
    assert_eq!(
        m.splits,
        vec![Split {
            parent: key(1),
            children: vec![key(2)]
        }]
    );
    assert_eq!(reg.cause(key(2)).unwrap().split_from, Some(key(1)));
    assert_eq!(reg.weeks().last().unwrap().1.splits, m.splits);
}

#[test]
fn merge_is_detected_once() {
    let mut reg = Registry::new();
    reg.observe_week(
        "w1",
        100,
        &[
            cluster(&[("a", 1.0), ("b", 1.0)], 20),
            cluster(&[("c", 1.0), ("d", 1.0)], 20),
        ],
        &cfg(),
    )
    .unwrap();
    // One cluster now holds both: 0.72 similar to C0001, 0.69 to C0002.
    let both = [("a", 1.05), ("b", 1.05), ("c", 1.0), ("d", 1.0)];
    let m = reg
        .observe_week("w2", 100, &[cluster(&both, 40)], &cfg())
        .unwrap();
    assert_eq!(m.keys, vec![key(1)]);
    assert_eq!(m.status, vec![CauseStatus::Merged]);
    assert_eq!(
        m.merges,
        vec![Merge {
            into: key(1),
            absorbed: vec![key(2)]
        }]
    );
    // A week later C0002 is two weeks gone: no merge is reported again.
    let m = reg
        .observe_week("w3", 100, &[cluster(&both, 40)], &cfg())
        .unwrap();
    assert_eq!(m.status, vec![CauseStatus::Recurring]);
    assert!(m.merges.is_empty());
    assert_eq!(reg.cause(key(2)).unwrap().last_week, "w1");
}

#[test]
fn growth_and_fading_follow_the_share() {
    let mut reg = Registry::new();
    let a = [("a", 1.0)];
    let run = |reg: &mut Registry, week: &str, orders: usize, total: usize| {
        reg.observe_week(week, total, &[cluster(&a, orders)], &cfg())
            .unwrap()
            .status[0]
    };
    assert_eq!(run(&mut reg, "w1", 10, 100), CauseStatus::New);
    // Same count, but the week doubled: the share halved.
    assert_eq!(run(&mut reg, "w2", 10, 200), CauseStatus::Fading);
    assert_eq!(run(&mut reg, "w3", 14, 200), CauseStatus::Recurring);
    assert_eq!(run(&mut reg, "w4", 22, 200), CauseStatus::Growing);
    // A total below the clusters' sum is raised to it: share 1 → 1.
    assert_eq!(run(&mut reg, "w5", 50, 0), CauseStatus::Growing);
    assert_eq!(run(&mut reg, "w6", 60, 10), CauseStatus::Recurring);
    assert_eq!(reg.weeks().last().unwrap().1.total_orders, 60);
}

#[test]
fn drift_is_followed_by_the_centroid() {
    // The wording moves by one term of six a week; against the moving
    // centroid every week stays above the floor, so the key is kept
    // throughout although the last week shares no term with the first.
    let words: Vec<String> = (0..20).map(|i| format!("t{i:02}")).collect();
    let week_terms = |w: usize| -> Vec<(&str, f64)> {
        words[w..w + 6].iter().map(|t| (t.as_str(), 1.0)).collect()
    };
    let run = |cfg: &MatchConfig| -> Vec<CauseKey> {
        let mut reg = Registry::new();
        (0..13)
            .map(|w| {
                reg.observe_week(&format!("w{w:02}"), 10, &[cluster(&week_terms(w), 5)], cfg)
                    .unwrap()
                    .keys[0]
            })
            .collect()
    };
    assert_eq!(run(&cfg()), vec![key(1); 13]);
    let frozen = MatchConfig {
        learning_rate: 0.0,
        ..cfg()
    };
    assert_ne!(
        run(&frozen)[12],
        key(1),
        "a frozen centroid loses the drifting cause"
    );
}

#[test]
fn weeks_must_advance() {
    let mut reg = Registry::new();
    reg.observe_week("2026-W05", 1, &[cluster(&[("a", 1.0)], 1)], &cfg())
        .unwrap();
    for week in ["2026-W05", "2026-W04"] {
        let err = reg
            .observe_week(week, 1, &[cluster(&[("a", 1.0)], 1)], &cfg())
            .unwrap_err();
        assert!(matches!(err, RegistryError::WeekNotAfter { .. }), "{err}");
    }
    assert!(matches!(
        reg.observe_week("", 1, &[], &cfg()),
        Err(RegistryError::EmptyWeek)
    ));
    assert_eq!(reg.len(), 1);
}

#[test]
fn names_apply_and_are_checked() {
    let mut reg = Registry::new();
    reg.observe_week(
        "w1",
        10,
        &[cluster(&[("电表", 1.0)], 5), cluster(&[("停电", 1.0)], 5)],
        &cfg(),
    )
    .unwrap();
    let names = CauseNames::from_toml_str("C0001 = \"智能电表更换后跳字\"").unwrap();
    reg.apply_names(&names).unwrap();
    assert_eq!(reg.name_of(key(1)), Some("智能电表更换后跳字"));
    assert_eq!(reg.name_of(key(2)), None);
    assert_eq!(
        reg.cause(key(1)).unwrap().display_name(),
        "智能电表更换后跳字"
    );
    assert_eq!(reg.cause(key(2)).unwrap().display_name(), "停电");
    // The name survives later weeks.
    reg.observe_week("w2", 10, &[cluster(&[("电表", 1.0)], 5)], &cfg())
        .unwrap();
    assert_eq!(reg.name_of(key(1)), Some("智能电表更换后跳字"));

    let bad = CauseNames::from_toml_str("C0002 = \"停电\"\nC0009 = \"x\"\nC0010 = \"y\"").unwrap();
    let err = reg.apply_names(&bad).unwrap_err();
    assert!(err.to_string().contains("C0009, C0010"), "{err}");
    assert_eq!(reg.name_of(key(2)), None, "nothing changed on error");
    reg.apply_names(&CauseNames::default()).unwrap();
    assert_eq!(
        reg.name_of(key(1)),
        None,
        "a name removed from the file is dropped"
    );
}

/// A small history with splits and merges, for the snapshot tests.
fn history() -> Vec<(String, usize, Vec<WeekCluster>)> {
    let a = [("电表", 0.7), ("跳字", 0.5), ("更换", 0.31)];
    let b = [("停电", 0.9), ("通知", 0.4), ("短信", 0.123456789)];
    let c = [("抢修", 1.0), ("时间", 0.6), ("长", 0.2)];
    let ab = [("电表", 0.7), ("跳字", 0.5), ("停电", 0.6), ("通知", 0.4)];
    vec![
        (
            "2026-W01".into(),
            300,
            vec![cluster(&a, 40), cluster(&b, 30)],
        ),
        (
            "2026-W02".into(),
            310,
            vec![cluster(&b, 33), cluster(&a, 41), cluster(&c, 9)],
        ),
        (
            "2026-W03".into(),
            290,
            vec![cluster(&ab, 60), cluster(&c, 20)],
        ),
        (
            "2026-W04".into(),
            305,
            vec![
                cluster(&a, 40),
                cluster(&b, 25),
                cluster(&[("电表", 1.0), ("跳字", 0.9)], 12),
            ],
        ),
        (
            "2026-W05".into(),
            280,
            vec![cluster(&c, 7), cluster(&a, 39)],
        ),
    ]
}

#[test]
fn same_weeks_give_byte_identical_json() {
    let run = || {
        let mut reg = Registry::new();
        for (week, total, clusters) in history() {
            reg.observe_week(&week, total, &clusters, &cfg()).unwrap();
        }
        reg.to_json()
    };
    let first = run();
    assert_eq!(first, run());
    assert!(first.contains("\"C0003\""));
}

#[test]
fn replay_from_a_snapshot_equals_the_uninterrupted_run() {
    let weeks = history();
    let mut reg = Registry::new();
    let mut snapshots = vec![reg.to_json()];
    let mut matches = Vec::new();
    for (week, total, clusters) in &weeks {
        matches.push(reg.observe_week(week, *total, clusters, &cfg()).unwrap());
        snapshots.push(reg.to_json());
    }
    for (i, (week, total, clusters)) in weeks.iter().enumerate() {
        let mut replay = Registry::from_json(&snapshots[i]).unwrap();
        let m = replay.observe_week(week, *total, clusters, &cfg()).unwrap();
        assert_eq!(m, matches[i], "{week}");
        assert_eq!(replay.to_json(), snapshots[i + 1], "{week}");
    }
    // The history exercised what it should.
    assert!(matches.iter().any(|m| !m.merges.is_empty()));
    assert!(matches.iter().any(|m| !m.splits.is_empty()));
    assert_eq!(Registry::from_json(&snapshots[5]).unwrap(), reg);
}

#[test]
fn bad_snapshots_are_rejected() {
    let mut reg = Registry::new();
    reg.observe_week("w1", 10, &[cluster(&[("a", 1.0)], 5)], &cfg())
        .unwrap();
    let json = reg.to_json();
    assert!(Registry::from_json(&json).is_ok());
    let err = Registry::from_json(&json.replace("\"format\": 1", "\"format\": 99")).unwrap_err();
    assert!(err.to_string().contains("format 99"), "{err}");
    let err = Registry::from_json(&json.replace("\"next_key\": 2", "\"next_key\": 1")).unwrap_err();
    assert!(err.to_string().contains("C0001"), "{err}");
    assert!(Registry::from_json("{").is_err());
}
