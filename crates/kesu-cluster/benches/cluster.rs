//! Criterion bench: TF-IDF, spherical k-means and the class model on
//! synthetic segmented documents.

use criterion::{Criterion, criterion_group, criterion_main};
use kesu_cluster::Taxonomy;
use kesu_cluster::classify::{ClassInput, ClassModel};
use kesu_cluster::features::{FeatureConfig, tfidf};
use kesu_cluster::kmeans::{KMeansConfig, SplitMix64, fit};
use kesu_model::ComplaintClass;

/// 20 topics of 30 terms each plus shared noise terms; 12 terms per document.
fn corpus(n: usize) -> Vec<Vec<String>> {
    let mut rng = SplitMix64::new(9);
    (0..n)
        .map(|i| {
            let topic = i % 20;
            (0..12)
                .map(|j| {
                    if j < 8 {
                        format!("t{topic}_{}", rng.below(30))
                    } else {
                        format!("noise{}", rng.below(500))
                    }
                })
                .collect()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let docs = corpus(50_000);
    c.bench_function("tfidf_50k", |b| {
        b.iter(|| tfidf(&docs, &FeatureConfig::default()))
    });
    let f = tfidf(&docs, &FeatureConfig::default());
    let cfg = KMeansConfig {
        k: 20,
        seed: 1,
        n_init: 2,
        max_iter: 30,
    };
    c.bench_function("kmeans_50k_k20", |b| b.iter(|| fit(&f.docs, f.dim(), &cfg)));

    // Class model: topic t is class t % 5, typed with 12 % noise; the cause
    // is the topic. Training samples at most 30 000 orders, prediction all.
    let mut rng = SplitMix64::new(3);
    let typed: Vec<Option<ComplaintClass>> = (0..docs.len())
        .map(|i| {
            let class = if rng.next_f64() < 0.12 {
                rng.below(5)
            } else {
                i % 20 % 5
            };
            Some(ComplaintClass::ALL[class])
        })
        .collect();
    let orders: Vec<ClassInput<'_>> = (0..docs.len())
        .map(|i| ClassInput {
            words: &f.docs[i],
            counts: &f.counts[i],
            cause: Some(i % 20),
            typed: typed[i],
        })
        .collect();
    let taxonomy = Taxonomy::builtin().expect("built-in taxonomy");
    c.bench_function("class_model_train_50k", |b| {
        b.iter(|| ClassModel::train(&orders, &f.terms, 20, &taxonomy, 1))
    });
    let model = ClassModel::train(&orders, &f.terms, 20, &taxonomy, 1);
    c.bench_function("class_model_predict_50k", |b| {
        b.iter(|| model.predict(&orders))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
