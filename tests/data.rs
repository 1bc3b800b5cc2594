//! Tests of the data module: the portable PRNG, every generator (sizes, determinism, noise,
//! outliers, label noise), the train/validation split, CSV reading and the validation messages.

use convergence::data::*;
// Named explicitly: proptest's prelude exports a trait of the same name.
use convergence::config::validate::Validator;
use convergence::data::Rng;
use proptest::prelude::*;
use serde_json::{json, Value};

fn config(value: Value) -> DataConfig {
    serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{value}: {e}"))
}

/// Every validation message for `config` at `path`, as `path: message` lines.
fn messages(config: &DataConfig, path: &str) -> Vec<String> {
    let mut v = Validator::new();
    config.validate(path, &mut v);
    match v.finish() {
        Ok(()) => Vec::new(),
        Err(errors) => errors.0.iter().map(ToString::to_string).collect(),
    }
}

fn csv(text: &str) -> DataConfig {
    DataConfig::Csv { text: text.to_string() }
}

/// Every synthetic set at its defaults.
fn synthetic() -> Vec<DataConfig> {
    ["linear", "polynomial", "sine", "circle", "xor", "gaussians", "spiral", "moons"]
        .iter()
        .map(|name| config(json!({ "name": name })))
        .collect()
}

/// The bytes of a dataset, for bit-exact comparisons.
fn bytes(data: &Dataset) -> Vec<u8> {
    data.inputs.iter().chain(&data.targets).flat_map(|x| x.to_le_bytes()).collect()
}

/// An FNV-1a hash of the bytes of a dataset, pinned below so that any change of the numbers
/// (on any platform) is noticed.
fn fingerprint(data: &Dataset) -> u64 {
    bytes(data).iter().fold(0xcbf29ce484222325_u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3))
}

fn ones(data: &Dataset) -> usize {
    data.targets.iter().filter(|&&t| t == 1.0).count()
}

// ---------------------------------------------------------------- PRNG

#[test]
fn pcg32_matches_the_reference_implementation() {
    // pcg32-demo.c (imneme/pcg-c-basic), seed 42, stream 54.
    let mut rng = Rng::new(42, 54);
    let expected = [0xa15c02b7_u32, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e];
    assert_eq!(expected.map(|_| rng.next_u32()), expected);
    // Seed 0, stream 0, computed with the reference C code.
    let mut rng = Rng::new(0, 0);
    assert_eq!(rng.next_u64(), 0xe4c14788_379c6516);
    assert_eq!(rng.next_u64(), 0x5c4ab3bb_601d23e0);
}

#[test]
fn rng_is_deterministic_and_streams_differ() {
    let draw = |seed, stream| {
        let mut rng = Rng::new(seed, stream);
        (0..8).map(|_| rng.next_u64()).collect::<Vec<_>>()
    };
    assert_eq!(draw(7, 1), draw(7, 1));
    assert_ne!(draw(7, 1), draw(8, 1));
    assert_ne!(draw(7, 1), draw(7, 2));
}

#[test]
fn uniform_is_in_the_unit_interval_with_mean_one_half() {
    let mut rng = Rng::new(1, 0);
    let n = 100_000;
    let mut sum = 0.0;
    for _ in 0..n {
        let u = rng.uniform();
        assert!((0.0..1.0).contains(&u));
        sum += u;
    }
    assert!((sum / f64::from(n) - 0.5).abs() < 0.005);
}

#[test]
fn normal_has_mean_zero_and_variance_one() {
    let mut rng = Rng::new(2024, 3);
    let n = 100_000;
    let draws: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    assert!(draws.iter().all(|z| z.is_finite()));
    let mean = draws.iter().sum::<f64>() / f64::from(n);
    let var = draws.iter().map(|z| (z - mean).powi(2)).sum::<f64>() / f64::from(n - 1);
    // Standard errors: 1/sqrt(n) = 0.0032 for the mean, sqrt(2/n) = 0.0045 for the variance.
    assert!(mean.abs() < 0.015, "mean {mean}");
    assert!((var - 1.0).abs() < 0.02, "variance {var}");
    let within_one = draws.iter().filter(|z| z.abs() < 1.0).count() as f64 / f64::from(n);
    assert!((within_one - 0.6827).abs() < 0.01, "P(|z| < 1) = {within_one}");
}

#[test]
fn range_u32_is_in_range_and_about_uniform() {
    let mut rng = Rng::new(9, 9);
    for n in [1_u32, 2, 3, 7, 10, 1000, 1 << 31, u32::MAX] {
        for _ in 0..2000 {
            assert!(rng.range_u32(n) < n);
        }
    }
    assert_eq!(rng.range_u32(0), 0);
    // Chi-square test over 10 buckets: 9 degrees of freedom, the 99.9 % quantile is 27.9.
    let draws = 100_000;
    let mut counts = [0_u32; 10];
    for _ in 0..draws {
        counts[rng.range_u32(10) as usize] += 1;
    }
    let expected = f64::from(draws) / 10.0;
    let chi2: f64 = counts.iter().map(|&c| (f64::from(c) - expected).powi(2) / expected).sum();
    assert!(chi2 < 27.9, "chi2 = {chi2}, counts {counts:?}");
}

#[test]
fn shuffle_gives_permutations_and_every_order() {
    let mut rng = Rng::new(5, 1);
    let mut items: Vec<u32> = (0..100).collect();
    rng.shuffle(&mut items);
    assert_ne!(items, (0..100).collect::<Vec<_>>());
    let mut sorted = items.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..100).collect::<Vec<_>>());
    // All 6 orders of 3 items appear about equally often.
    let mut counts = std::collections::HashMap::new();
    for _ in 0..6000 {
        let mut three = [0_u32, 1, 2];
        rng.shuffle(&mut three);
        *counts.entry(three).or_insert(0) += 1;
    }
    assert_eq!(counts.len(), 6);
    assert!(counts.values().all(|&c| (850..1150).contains(&c)), "{counts:?}");
}

// ---------------------------------------------------------------- generators

#[test]
fn every_generator_gives_n_finite_points_of_the_right_shape() {
    for cfg in synthetic() {
        for n in [4_u32, 5, 101, 200] {
            let cfg = match cfg.clone() {
                DataConfig::Linear { noise, outliers, slope, intercept, .. } => {
                    DataConfig::Linear { n, noise, outliers, slope, intercept }
                }
                DataConfig::Polynomial { noise, outliers, .. } => DataConfig::Polynomial { n, noise, outliers },
                DataConfig::Sine { noise, outliers, frequency, .. } => {
                    DataConfig::Sine { n, noise, outliers, frequency }
                }
                DataConfig::Circle { noise, label_noise, .. } => {
                    DataConfig::Circle { n, noise, label_noise, scale: 1.0 }
                }
                DataConfig::Xor { noise, label_noise, .. } => DataConfig::Xor { n, noise, label_noise, scale: 1.0 },
                DataConfig::Gaussians { noise, label_noise, .. } => {
                    DataConfig::Gaussians { n, noise, label_noise, scale: 1.0 }
                }
                DataConfig::Spiral { noise, label_noise, .. } => {
                    DataConfig::Spiral { n, noise, label_noise, scale: 1.0 }
                }
                DataConfig::Moons { noise, label_noise, .. } => DataConfig::Moons { n, noise, label_noise, scale: 1.0 },
                DataConfig::Csv { .. } => unreachable!(),
            };
            assert!(messages(&cfg, "data").is_empty(), "{cfg:?}");
            let data = cfg.generate(1);
            assert_eq!(data.len(), n as usize, "{cfg:?}");
            assert_eq!(data.task, cfg.task());
            assert_eq!(data.input_dim, cfg.input_dim());
            assert_eq!(data.inputs.len(), data.len() * data.input_dim);
            assert!(data.inputs.iter().chain(&data.targets).all(|x| x.is_finite()), "{cfg:?}");
            for i in 0..data.len() {
                assert!(data.row(i).iter().all(|x| x.abs() < 2.0), "{cfg:?}: row {i} = {:?}", data.row(i));
            }
        }
    }
}

#[test]
fn tasks_and_dimensions() {
    for cfg in synthetic() {
        let data = cfg.generate(3);
        let regression =
            matches!(cfg, DataConfig::Linear { .. } | DataConfig::Polynomial { .. } | DataConfig::Sine { .. });
        if regression {
            assert_eq!((data.task, data.input_dim), (Task::Regression, 1));
            assert_eq!(data.len(), 100);
        } else {
            assert_eq!((data.task, data.input_dim), (Task::Classification, 2));
            assert_eq!(data.len(), 200);
            assert!(data.targets.iter().all(|&t| t == 0.0 || t == 1.0));
        }
    }
}

#[test]
fn same_seed_same_bytes_other_seed_other_data() {
    for cfg in synthetic() {
        let cfg_noisy = match cfg {
            DataConfig::Circle { n, label_noise, .. } => DataConfig::Circle { n, noise: 0.2, label_noise, scale: 1.0 },
            other => other,
        };
        let a = cfg_noisy.generate(11);
        let b = cfg_noisy.generate(11);
        assert_eq!(bytes(&a), bytes(&b), "{cfg_noisy:?}");
        let c = cfg_noisy.generate(12);
        assert_ne!(bytes(&a), bytes(&c), "{cfg_noisy:?}");
    }
}

#[test]
fn pinned_fingerprints() {
    // These values pin the exact numbers, so that a change of any formula, of the order of the
    // random draws or of the platform's arithmetic shows up here (the wasm32 build must give the
    // same values). Update them only on purpose.
    let cases = [
        (json!({"name": "linear"}), 0xe6d8f00b5325102a_u64),
        (json!({"name": "polynomial", "outliers": 0.1}), 0xbd95502bd612187f),
        (json!({"name": "sine", "frequency": 2.5}), 0x2e3a2640e43eec81),
        (json!({"name": "circle", "noise": 0.3, "label_noise": 0.1}), 0xf4eba9cd58f6e0db),
        (json!({"name": "xor", "noise": 0.2}), 0xdc9d177fe64dba1a),
        (json!({"name": "gaussians", "noise": 0.1}), 0xb6cdc798dbafc7f0),
        (json!({"name": "spiral", "noise": 0.25}), 0x81f24f4e588c1f65),
        (json!({"name": "moons", "noise": 0.3}), 0xd585460b2105ff4d),
    ];
    let mut report = String::new();
    let mut ok = true;
    for (value, expected) in cases {
        let got = fingerprint(&config(value.clone()).generate(42));
        report.push_str(&format!("{value}: {got:#018x}\n"));
        ok &= got == expected;
    }
    assert!(ok, "fingerprints changed:\n{report}");
}

#[test]
fn pinned_split_and_rng_fingerprints() {
    // A large noisy set with outliers, split, and a long run of every kind of draw. The wasm32
    // build was checked to give the same two values.
    let data =
        config(json!({"name": "sine", "n": 5000, "noise": 0.7, "outliers": 0.3, "frequency": 13})).generate(987654321);
    let (train, validation) = split(&data, 0.3, 5);
    assert_eq!(fingerprint(&train) ^ fingerprint(&validation).rotate_left(1), 0xe03d3f6efe472724);
    let mut rng = Rng::new(u64::MAX, 12345);
    let mut draws = Vec::new();
    for _ in 0..100_000 {
        draws.push(rng.normal());
        draws.push(rng.uniform());
        draws.push(f64::from(rng.range_u32(1000)));
    }
    let mut order: Vec<u32> = (0..1000).collect();
    rng.shuffle(&mut order);
    draws.extend(order.iter().map(|&i| f64::from(i)));
    let all = Dataset { inputs: draws, targets: Vec::new(), input_dim: 1, task: Task::Regression };
    assert_eq!(fingerprint(&all), 0x2a9824a7f024cf4b);
}

#[test]
fn first_values_of_a_linear_set_follow_the_formula() {
    let data = config(json!({"name": "linear", "n": 5, "noise": 0.25})).generate(7);
    let mut rng = Rng::new(7, STREAM_DATA_POINTS);
    for i in 0..5 {
        let x = -1.0 + 2.0 * rng.uniform();
        let y = 1.5 * x + 0.5 + 0.25 * rng.normal();
        assert_eq!(data.row(i), &[x]);
        assert_eq!(data.targets[i].to_bits(), y.to_bits());
    }
}

#[test]
fn regression_noise_only_moves_the_targets() {
    let quiet = config(json!({"name": "sine", "noise": 0.0})).generate(5);
    let loud = config(json!({"name": "sine", "noise": 0.3})).generate(5);
    assert_eq!(quiet.inputs, loud.inputs);
    for (i, y) in quiet.targets.iter().enumerate() {
        let x = quiet.row(i)[0];
        assert!((y - (2.0 * std::f64::consts::PI * x).sin()).abs() < 1e-12);
    }
    let residuals: Vec<f64> = loud.targets.iter().zip(&quiet.targets).map(|(a, b)| a - b).collect();
    let sd = (residuals.iter().map(|r| r * r).sum::<f64>() / residuals.len() as f64).sqrt();
    assert!((sd - 0.3).abs() < 0.08, "noise sd {sd}");
}

#[test]
fn polynomial_is_the_chebyshev_cubic() {
    let cfg = config(json!({"name": "polynomial", "noise": 0.0}));
    let data = cfg.generate(2);
    for i in 0..data.len() {
        let x = data.row(i)[0];
        assert!((-1.0..1.0).contains(&x));
        assert_eq!(data.targets[i], 4.0 * x * x * x - 3.0 * x);
    }
    assert_eq!(cfg.true_function(0.5), Some(-1.0));
    assert_eq!(config(json!({"name": "circle"})).true_function(0.5), None);
}

#[test]
fn outlier_share_is_respected() {
    for share in [0.0, 0.05, 0.1, 0.25, 0.5] {
        let cfg = DataConfig::Linear { n: 200, noise: 0.0, outliers: share, slope: 1.5, intercept: 0.5 };
        let data = cfg.generate(8);
        let clean = DataConfig::Linear { n: 200, noise: 0.0, outliers: 0.0, slope: 1.5, intercept: 0.5 }.generate(8);
        assert_eq!(data.inputs, clean.inputs);
        let offsets: Vec<f64> =
            data.targets.iter().zip(&clean.targets).map(|(a, b)| a - b).filter(|d| *d != 0.0).collect();
        assert_eq!(offsets.len(), (share * 200.0_f64).round() as usize, "share {share}");
        // The range of 1.5x + 0.5 on [-1, 1] is 3, so every offset is at least 2*3 = 6.
        assert!(offsets.iter().all(|d| d.abs() >= 6.0 - 1e-9), "{offsets:?}");
        if offsets.len() >= 20 {
            let up = offsets.iter().filter(|d| **d > 0.0).count();
            assert!(up > offsets.len() / 5 && up < offsets.len() * 4 / 5, "signs {up}/{}", offsets.len());
        }
    }
}

#[test]
fn classes_are_present_and_about_balanced() {
    for cfg in synthetic().into_iter().filter(|c| c.task() == Task::Classification) {
        for seed in 0..5 {
            let data = cfg.generate(seed);
            let share = ones(&data) as f64 / data.len() as f64;
            assert!((0.4..=0.6).contains(&share), "{cfg:?} seed {seed}: share of ones {share}");
        }
    }
    // Class 1 gets floor(n/2) points in the circle, gaussians and spiral sets, class 0 in the
    // moons (as in make_moons).
    for (name, expected) in [("circle", 100), ("gaussians", 100), ("spiral", 100), ("moons", 101)] {
        let data = config(json!({"name": name, "n": 201})).generate(1);
        assert_eq!(ones(&data), expected, "{name}");
    }
}

#[test]
fn noise_free_circle_is_separable_by_radius() {
    let data = config(json!({"name": "circle", "n": 1000})).generate(4);
    for i in 0..data.len() {
        let r = data.row(i)[0].hypot(data.row(i)[1]);
        if data.targets[i] == 1.0 {
            assert!(r < 0.5, "inner point at radius {r}");
        } else {
            assert!((0.7..=1.0).contains(&r), "outer point at radius {r}");
        }
    }
}

#[test]
fn circle_noise_mislabels_points_near_the_boundary_only() {
    let quiet = config(json!({"name": "circle", "noise": 0.0})).generate(6);
    let noisy = config(json!({"name": "circle", "noise": 0.5})).generate(6);
    // Only the labels see the noise, so the positions are the same.
    assert_eq!(quiet.inputs, noisy.inputs);
    let flipped = quiet.targets.iter().zip(&noisy.targets).filter(|(a, b)| a != b).count();
    assert!(flipped > 0 && flipped < 100, "{flipped} labels changed");
}

#[test]
fn noise_free_sets_are_clean() {
    // xor: the label is the sign of x1*x2.
    let data = config(json!({"name": "xor", "n": 500})).generate(1);
    for i in 0..data.len() {
        let [x, y] = [data.row(i)[0], data.row(i)[1]];
        assert_eq!(data.targets[i], if x * y >= 0.0 { 1.0 } else { 0.0 });
    }
    // gaussians: the clusters are split by the line x1 + x2 = 0 (4 standard deviations away).
    let data = config(json!({"name": "gaussians", "n": 1000})).generate(1);
    let wrong =
        (0..data.len()).filter(|&i| (data.row(i)[0] + data.row(i)[1] > 0.0) != (data.targets[i] == 1.0)).count();
    assert!(wrong <= 1, "{wrong} points on the wrong side");
}

#[test]
fn gaussian_spread_follows_the_noise() {
    for (noise, sigma) in [(0.0, 0.5_f64.sqrt() / 5.0), (0.5, 2.0 / 5.0)] {
        let data = config(json!({"name": "gaussians", "n": 4000, "noise": noise})).generate(2);
        let mut sum = 0.0;
        for i in 0..data.len() {
            let centre = if data.targets[i] == 1.0 { 0.4 } else { -0.4 };
            sum += (data.row(i)[0] - centre).powi(2) + (data.row(i)[1] - centre).powi(2);
        }
        let sd = (sum / (2.0 * data.len() as f64)).sqrt();
        assert!((sd / sigma - 1.0).abs() < 0.05, "noise {noise}: sd {sd}, expected {sigma}");
    }
}

#[test]
fn label_noise_flips_that_share() {
    for name in ["circle", "xor", "gaussians", "spiral", "moons"] {
        for share in [0.05, 0.1, 0.3, 0.5] {
            let clean = config(json!({"name": name, "n": 400})).generate(10);
            let noisy = config(json!({"name": name, "n": 400, "label_noise": share})).generate(10);
            assert_eq!(clean.inputs, noisy.inputs, "{name}: positions must not move");
            let flipped = clean.targets.iter().zip(&noisy.targets).filter(|(a, b)| a != b).count();
            assert_eq!(flipped, (share * 400.0_f64).round() as usize, "{name} {share}");
        }
    }
}

#[test]
fn generate_never_panics_on_unvalidated_configs() {
    let bad = [
        json!({"name": "linear", "n": 0}),
        json!({"name": "linear", "n": 1, "noise": -1.0, "outliers": 3.0}),
        json!({"name": "sine", "n": 6000, "frequency": -1.0}),
        json!({"name": "circle", "n": 1, "noise": 100.0, "label_noise": -1.0}),
        json!({"name": "moons", "n": 1}),
        json!({"name": "moons", "n": 2, "label_noise": 7.0}),
        json!({"name": "spiral", "n": 0}),
        json!({"name": "xor", "n": 3, "noise": 1e300}),
    ];
    for value in bad {
        let cfg = config(value.clone());
        assert!(!messages(&cfg, "data").is_empty(), "{value} should be invalid");
        let data = cfg.generate(1);
        assert!(data.len() <= 6000, "{value}");
        assert_eq!(data.inputs.len(), data.len() * data.input_dim);
    }
    let nan = DataConfig::Gaussians { n: 10, noise: f64::NAN, label_noise: f64::NAN, scale: 1.0 };
    assert_eq!(nan.generate(1).len(), 10);
    let inf = DataConfig::Linear { n: 10, noise: f64::INFINITY, outliers: 0.2, slope: f64::NAN, intercept: 0.0 };
    assert_eq!(inf.generate(1).len(), 10);
}

// ---------------------------------------------------------------- split

#[test]
fn split_sizes_and_disjoint_complete_parts() {
    let data = config(json!({"name": "moons", "n": 200})).generate(1);
    // Tag each point by its index in the first input, to check which points go where.
    let tagged = Dataset {
        inputs: (0..200).map(f64::from).collect(),
        targets: data.targets.clone(),
        input_dim: 1,
        task: data.task,
    };
    for tenth in 1..=9 {
        let share = f64::from(tenth) / 10.0;
        let (train, validation) = split(&tagged, share, 3);
        assert_eq!(train.len(), (200.0 * (1.0 - share)).round() as usize, "share {share}");
        assert_eq!(train.len() + validation.len(), 200);
        let mut all: Vec<f64> = train.inputs.iter().chain(&validation.inputs).copied().collect();
        all.sort_by(f64::total_cmp);
        assert_eq!(all, (0..200).map(f64::from).collect::<Vec<_>>(), "share {share}");
        // Each point keeps its own target.
        for part in [&train, &validation] {
            for (x, t) in part.inputs.iter().zip(&part.targets) {
                assert_eq!(*t, tagged.targets[*x as usize]);
            }
        }
    }
    // The real data split keeps rows and targets together as well.
    let (train, validation) = split(&data, 0.25, 9);
    assert_eq!((train.len(), validation.len()), (150, 50));
    assert_eq!((train.input_dim, train.task), (2, Task::Classification));
}

#[test]
fn split_is_seeded() {
    let data = config(json!({"name": "sine"})).generate(1);
    assert_eq!(split(&data, 0.3, 4), split(&data, 0.3, 4));
    assert_ne!(split(&data, 0.3, 4).0.inputs, split(&data, 0.3, 5).0.inputs);
}

#[test]
fn split_keeps_one_point_on_each_side() {
    let data = config(json!({"name": "linear", "n": 4})).generate(1);
    for share in [0.1, 0.9] {
        let (train, validation) = split(&data, share, 1);
        assert!(!train.is_empty() && !validation.is_empty());
        assert_eq!(train.len() + validation.len(), 4);
    }
    let tiny = Dataset { inputs: vec![0.0, 1.0], targets: vec![0.0, 1.0], input_dim: 1, task: Task::Regression };
    for share in [0.1, 0.5, 0.9] {
        let (train, validation) = split(&tiny, share, 1);
        assert_eq!((train.len(), validation.len()), (1, 1));
    }
}

// ---------------------------------------------------------------- CSV

#[test]
fn csv_two_columns_with_and_without_header() {
    let plain = csv("0,1\n0.5,2\n1,3\n1.5,4\n");
    let header = csv("x,y\n0,1\n0.5,2\n\n1,3\n1.5,4");
    let crlf = csv("x, y\r\n0, 1\r\n0.5 ,2\r\n\r\n1,3\r\n1.5,4\r\n");
    let old_mac = csv("0,1\r0.5,2\r1,3\r1.5,4\r");
    for cfg in [plain, header, crlf, old_mac] {
        assert!(messages(&cfg, "data").is_empty(), "{cfg:?}: {:?}", messages(&cfg, "data"));
        assert_eq!(cfg.task(), Task::Regression);
        let data = cfg.generate(1);
        assert_eq!(data.input_dim, 1);
        assert_eq!(data.inputs, vec![0.0, 0.5, 1.0, 1.5]);
        assert_eq!(data.targets, vec![1.0, 2.0, 3.0, 4.0]);
    }
}

#[test]
fn csv_three_columns_and_label_conventions() {
    let zero_one = csv("x1,x2,label\n0,0,0\n1,1,1\n-1,2,1\n3,-3,0\n");
    let signs = csv("\n0,0,-1\n1,1,1\n-1,2,1.0\n3,-3,-1e0\n\n");
    for cfg in [zero_one, signs] {
        assert!(messages(&cfg, "data").is_empty(), "{:?}", messages(&cfg, "data"));
        assert_eq!(cfg.task(), Task::Classification);
        assert_eq!(cfg.input_dim(), 2);
        let data = cfg.generate(99);
        assert_eq!((data.input_dim, data.task), (2, Task::Classification));
        assert_eq!(data.inputs, vec![0.0, 0.0, 1.0, 1.0, -1.0, 2.0, 3.0, -3.0]);
        assert_eq!(data.targets, vec![0.0, 1.0, 1.0, 0.0]);
    }
    // A label written -0 is stored as +0.0, bit for bit.
    let data = csv("0,0,-0\n1,1,1\n2,2,0\n3,3,1\n").generate(0);
    assert_eq!(data.targets[0].to_bits(), 0.0_f64.to_bits());
}

#[test]
fn csv_bad_lines_carry_their_line_numbers() {
    let text = "x1,x2,label\n0,0,0\n1,1,2\n\n2,2,1\n3,3,0\n1.2,abc,0\n4,4\n5,5,nan\n6,6,1\n";
    let got = messages(&csv(text), "problem.data");
    assert_eq!(
        got,
        vec![
            "problem.data.text: line 3: label must be 0 or 1 (or -1 and 1), got 2",
            "problem.data.text: line 7: expected 3 numbers separated by commas, got \"1.2,abc,0\"",
            "problem.data.text: line 8: expected 3 numbers separated by commas (as the header on line 1), got \"4,4\"",
            "problem.data.text: line 9: every number must be finite, got \"5,5,nan\"",
        ]
    );
    // Generation keeps the good lines only.
    let data = csv(text).generate(1);
    assert_eq!(data.targets, vec![0.0, 1.0, 0.0, 1.0]);
}

#[test]
fn csv_column_count_is_fixed_by_the_first_data_line() {
    let text = "1,2\n3,4,1\n5,6\n7,8\n9,10\n";
    assert_eq!(
        messages(&csv(text), "data"),
        vec!["data.text: line 2: expected 2 numbers separated by commas (as on line 1), got \"3,4,1\""]
    );
    let text = "1,2,3,4\n1,2\n3,4\n5,6\n7,8\n";
    assert_eq!(
        messages(&csv(text), "data"),
        vec!["data.text: line 1: expected 2 numbers (x,y) or 3 numbers (x1,x2,label) separated by commas, got \"1,2,3,4\""]
    );
    let text = "a,b,c,d\n1,2\n3,4\n5,6\n7,8\n";
    assert_eq!(
        messages(&csv(text), "data"),
        vec!["data.text: line 1: expected a header with 2 columns (x,y) or 3 columns (x1,x2,label), got \"a,b,c,d\""]
    );
}

#[test]
fn csv_mixed_label_conventions_are_reported() {
    let text = "0,0,0\n1,1,1\n2,2,-1\n3,3,1\n";
    assert_eq!(
        messages(&csv(text), "data"),
        vec!["data.text: line 3: label -1 mixes the 0/1 and -1/1 conventions (line 1 has the label 0)"]
    );
}

#[test]
fn csv_row_counts() {
    assert_eq!(messages(&csv("x,y\n1,2\n3,4\n"), "data"), vec!["data.text: must contain at least 4 data rows, got 2"]);
    assert_eq!(messages(&csv(""), "data"), vec!["data.text: must contain at least 4 data rows, got 0"]);
    assert_eq!(messages(&csv("x,y\n\n\r\n"), "data"), vec!["data.text: must contain at least 4 data rows, got 0"]);
    let many: String = (0..5001).map(|i| format!("{i},{i}\n")).collect();
    assert_eq!(messages(&csv(&many), "data"), vec!["data.text: must contain at most 5000 data rows, got 5001"]);
    let most: String = (0..5000).map(|i| format!("{i},{i}\n")).collect();
    assert!(messages(&csv(&most), "data").is_empty());
    assert_eq!(csv(&most).generate(0).len(), 5000);
}

#[test]
fn csv_reports_at_most_ten_bad_lines() {
    let mut text = String::from("x,y\n");
    for i in 0..25 {
        text.push_str(&format!("{i},oops\n"));
    }
    for i in 0..5 {
        text.push_str(&format!("{i},{i}\n"));
    }
    let got = messages(&csv(&text), "data");
    assert_eq!(got.len(), 11);
    assert_eq!(got[0], "data.text: line 2: expected 2 numbers separated by commas, got \"0,oops\"");
    assert_eq!(got[9], "data.text: line 11: expected 2 numbers separated by commas, got \"9,oops\"");
    assert_eq!(got[10], "data.text: ... and 15 more bad lines");
}

#[test]
fn unreadable_csv_is_regression_and_empty() {
    for text in ["", "hello", "a;b;c\n1;2;3\n", "1,2,3,4\n5,6,7,8\n"] {
        let cfg = csv(text);
        assert_eq!(cfg.task(), Task::Regression, "{text:?}");
        let data = cfg.generate(1);
        assert!(data.is_empty());
        assert_eq!(data.input_dim, 1);
        assert!(!messages(&cfg, "data").is_empty());
    }
}

// ---------------------------------------------------------------- config and validation

#[test]
fn defaults_and_serde_round_trip() {
    assert_eq!(
        config(json!({"name": "linear"})),
        DataConfig::Linear { n: 100, noise: 0.1, outliers: 0.0, slope: 1.5, intercept: 0.5 }
    );
    assert_eq!(config(json!({"name": "polynomial"})), DataConfig::Polynomial { n: 100, noise: 0.1, outliers: 0.0 });
    assert_eq!(config(json!({"name": "sine"})), DataConfig::Sine { n: 100, noise: 0.1, outliers: 0.0, frequency: 1.0 });
    assert_eq!(
        config(json!({"name": "spiral"})),
        DataConfig::Spiral { n: 200, noise: 0.0, label_noise: 0.0, scale: 1.0 }
    );
    for cfg in synthetic().into_iter().chain([csv("1,2\n")]) {
        let value = serde_json::to_value(&cfg).unwrap();
        assert_eq!(config(value), cfg);
    }
    assert_eq!(serde_json::to_value(Task::Classification).unwrap(), json!("classification"));
    assert!(serde_json::from_value::<DataConfig>(json!({"name": "circle", "radius": 2})).is_err());
    assert!(serde_json::from_value::<DataConfig>(json!({"name": "circle", "n": -3})).is_err());
    assert!(serde_json::from_value::<DataConfig>(json!({"name": "csv"})).is_err());
}

#[test]
fn validation_messages_carry_the_path() {
    let cases = [
        (json!({"name": "linear", "n": 2}), vec!["problem.data.n: must be in [4, 5000], got 2"]),
        (json!({"name": "circle", "n": 5001}), vec!["problem.data.n: must be in [4, 5000], got 5001"]),
        (json!({"name": "polynomial", "noise": -0.1}), vec!["problem.data.noise: must be >= 0, got -0.1"]),
        (json!({"name": "sine", "outliers": 0.6}), vec!["problem.data.outliers: must be in [0, 0.5], got 0.6"]),
        (json!({"name": "sine", "frequency": 0}), vec!["problem.data.frequency: must be in (0, 20], got 0"]),
        (json!({"name": "sine", "frequency": 21}), vec!["problem.data.frequency: must be in (0, 20], got 21"]),
        (json!({"name": "spiral", "noise": 1.5}), vec!["problem.data.noise: must be in [0, 1], got 1.5"]),
        (
            json!({"name": "moons", "n": 3, "label_noise": -0.1}),
            vec![
                "problem.data.n: must be in [4, 5000], got 3",
                "problem.data.label_noise: must be in [0, 0.5], got -0.1",
            ],
        ),
    ];
    for (value, expected) in cases {
        assert_eq!(messages(&config(value.clone()), "problem.data"), expected, "{value}");
    }
    let infinite =
        DataConfig::Linear { n: 10, noise: f64::INFINITY, outliers: f64::NAN, slope: f64::NAN, intercept: 0.0 };
    assert_eq!(
        messages(&infinite, "d"),
        vec![
            "d.noise: must be >= 0, got inf",
            "d.outliers: must be in [0, 0.5], got NaN",
            "d.slope: must be a finite number, got NaN",
        ]
    );
    // Limits are inclusive.
    for value in [
        json!({"name": "sine", "n": 4, "frequency": 20, "outliers": 0.5}),
        json!({"name": "xor", "n": 5000, "noise": 1, "label_noise": 0.5}),
    ] {
        assert!(messages(&config(value.clone()), "data").is_empty(), "{value}");
    }
    // An empty path gives bare field names.
    assert_eq!(messages(&config(json!({"name": "xor", "n": 1})), ""), vec!["n: must be in [4, 5000], got 1"]);
}

// ---------------------------------------------------------------- never panics

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Any text, CSV-like or not, is validated and read without a panic, and a text that
    /// validates gives one point per data line.
    #[test]
    fn any_csv_text_is_handled(text in "([-0-9.,e \t\r\nxyab]|\u{feff}|nan|inf){0,200}") {
        let cfg = csv(&text);
        let found = messages(&cfg, "data");
        let data = cfg.generate(0);
        prop_assert_eq!(data.inputs.len(), data.len() * data.input_dim);
        prop_assert_eq!(data.task, cfg.task());
        if found.is_empty() {
            prop_assert!(data.len() >= 4);
            prop_assert!(data.inputs.iter().chain(&data.targets).all(|x| x.is_finite()));
        }
    }

    /// Arbitrary parameters never make a generator panic; valid ones give n finite points.
    #[test]
    fn any_parameters_are_handled(
        kind in 0_u32..8,
        n in prop_oneof![0_u32..6000, Just(u32::MAX)],
        noise in prop_oneof![-2.0..2.0_f64, Just(f64::NAN), Just(f64::INFINITY)],
        share in prop_oneof![-1.0..1.0_f64, Just(f64::NAN)],
        extra in prop_oneof![-30.0..30.0_f64, Just(f64::NAN)],
        seed in any::<u64>(),
    ) {
        let cfg = match kind {
            0 => DataConfig::Linear { n, noise, outliers: share, slope: extra, intercept: 1.0 },
            1 => DataConfig::Polynomial { n, noise, outliers: share },
            2 => DataConfig::Sine { n, noise, outliers: share, frequency: extra },
            3 => DataConfig::Circle { n, noise, label_noise: share , scale: 1.0},
            4 => DataConfig::Xor { n, noise, label_noise: share , scale: 1.0},
            5 => DataConfig::Gaussians { n, noise, label_noise: share , scale: 1.0},
            6 => DataConfig::Spiral { n, noise, label_noise: share , scale: 1.0},
            _ => DataConfig::Moons { n, noise, label_noise: share , scale: 1.0},
        };
        let valid = messages(&cfg, "data").is_empty();
        let data = cfg.generate(seed);
        prop_assert_eq!(data.inputs.len(), data.len() * data.input_dim);
        if valid {
            prop_assert_eq!(data.len(), n as usize);
            prop_assert!(data.inputs.iter().chain(&data.targets).all(|x| x.is_finite()));
        }
    }
}

#[test]
fn csv_text_over_the_cap_is_rejected_without_being_read() {
    use convergence::config::limits::MAX_CSV_BYTES;
    // 50 MB of bad lines: were the text read, every line would be reported as bad.
    let text = "1,abc\n".repeat(50 * 1024 * 1024 / 6 + 1);
    let data = csv(&text);
    assert_eq!(
        messages(&data, "problem.data"),
        [format!("problem.data.text: at most {MAX_CSV_BYTES} bytes, got {}", text.len())]
    );
    // Generation does not read it either: it gives no points.
    assert_eq!(data.generate(0).len(), 0);
    // At the cap the text is read: a file of good lines but too many rows fails on its rows.
    let line = "1,2\n";
    let at_cap = csv(&line.repeat(MAX_CSV_BYTES / line.len()));
    let found = messages(&at_cap, "problem.data");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("problem.data.text: must contain at most 5000 data rows"), "{found:?}");
}

#[test]
fn csv_counts_every_bad_line_but_keeps_ten_messages() {
    let text = "x,y\n".to_string() + &"1,abc\n".repeat(25) + &"1,2\n".repeat(10);
    let found = messages(&csv(&text), "d");
    assert_eq!(found.len(), 11, "{found:?}");
    assert_eq!(found[10], "d.text: ... and 15 more bad lines");
}
