//! Criterion bench: TF-IDF + spherical k-means on synthetic segmented documents.

use criterion::{Criterion, criterion_group, criterion_main};
use kesu_cluster::features::{FeatureConfig, tfidf};
use kesu_cluster::kmeans::{KMeansConfig, SplitMix64, fit};

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
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
