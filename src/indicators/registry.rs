//! Every indicator by name, with its parameters (defaults are TA-Lib's) and output names, and a
//! small expression language to build them: `sma(50)`, `bbands(20, 2)`, `rsi` (defaults), and
//! `rsi(14) | sma(5)` (an indicator over an indicator; `macd.signal | ema(5)` picks an output).

use super::{
    Adx, Aroon, Atr, Bbands, Cci, Chain, Dema, Dmi, Ema, Indicator, Kama, Macd, Mfi, MinusDi, Mom,
    Natr, Obv, PlusDi, Roc, Rsi, Sar, Sma, StdDev, StochF, StochRsi, Stochastic, Tema, Trix,
    UltOsc, Vwap, WillR, Wma,
};

/// One numeric parameter.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub default: f64,
    pub min: f64,
    pub max: f64,
    /// Whole numbers only (periods).
    pub integer: bool,
}

impl Param {
    pub const fn period(name: &'static str, default: f64) -> Self {
        Self {
            name,
            default,
            min: 1.0,
            max: 100_000.0,
            integer: true,
        }
    }

    /// A period of at least `min` (TA-Lib's lower bound for the indicator).
    pub const fn period_from(name: &'static str, default: f64, min: f64) -> Self {
        Self {
            min,
            ..Self::period(name, default)
        }
    }

    pub const fn real(name: &'static str, default: f64, min: f64, max: f64) -> Self {
        Self {
            name,
            default,
            min,
            max,
            integer: false,
        }
    }
}

/// A buildable indicator.
pub struct Spec {
    pub name: &'static str,
    pub about: &'static str,
    pub params: &'static [Param],
    pub outputs: &'static [&'static str],
    pub make: fn(&[f64]) -> Box<dyn Indicator>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IndicatorError {
    #[error("unknown indicator `{0}`; `tickdesk indicators --list` shows them all")]
    Unknown(String),
    #[error("`{expr}`: {detail}")]
    Syntax { expr: String, detail: String },
    #[error("{name}: {detail}")]
    Param { name: String, detail: String },
}

fn usize_of(v: f64) -> usize {
    v as usize
}

/// The built-in and custom indicators.
pub fn specs() -> Vec<&'static Spec> {
    let mut all: Vec<&'static Spec> = BUILTIN.iter().collect();
    all.extend(super::custom::SPECS.iter());
    all
}

static BUILTIN: &[Spec] = &[
    Spec {
        name: "sma",
        about: "simple moving average",
        params: &[Param::period("period", 30.0)],
        outputs: &["sma"],
        make: |p| Box::new(Sma::new(usize_of(p[0]))),
    },
    Spec {
        name: "ema",
        about: "exponential moving average, seeded with the SMA",
        params: &[Param::period("period", 30.0)],
        outputs: &["ema"],
        make: |p| Box::new(Ema::new(usize_of(p[0]))),
    },
    Spec {
        name: "wma",
        about: "linearly weighted moving average",
        params: &[Param::period("period", 30.0)],
        outputs: &["wma"],
        make: |p| Box::new(Wma::new(usize_of(p[0]))),
    },
    Spec {
        name: "dema",
        about: "double exponential moving average",
        params: &[Param::period("period", 30.0)],
        outputs: &["dema"],
        make: |p| Box::new(Dema::new(usize_of(p[0]))),
    },
    Spec {
        name: "tema",
        about: "triple exponential moving average",
        params: &[Param::period("period", 30.0)],
        outputs: &["tema"],
        make: |p| Box::new(Tema::new(usize_of(p[0]))),
    },
    Spec {
        name: "kama",
        about: "Kaufman adaptive moving average",
        params: &[Param::period("period", 30.0)],
        outputs: &["kama"],
        make: |p| Box::new(Kama::new(usize_of(p[0]))),
    },
    Spec {
        name: "trix",
        about: "1-bar % rate of change of a triple EMA",
        params: &[Param::period("period", 30.0)],
        outputs: &["trix"],
        make: |p| Box::new(Trix::new(usize_of(p[0]))),
    },
    Spec {
        name: "rsi",
        about: "relative strength index (Wilder)",
        params: &[Param::period_from("period", 14.0, 2.0)],
        outputs: &["rsi"],
        make: |p| Box::new(Rsi::new(usize_of(p[0]))),
    },
    Spec {
        name: "macd",
        about: "moving average convergence/divergence",
        params: &[
            Param::period_from("fast", 12.0, 2.0),
            Param::period_from("slow", 26.0, 2.0),
            Param::period("signal", 9.0),
        ],
        outputs: &["macd", "signal", "hist"],
        make: |p| Box::new(Macd::new(usize_of(p[0]), usize_of(p[1]), usize_of(p[2]))),
    },
    Spec {
        name: "bbands",
        about: "Bollinger Bands (SMA ± k population standard deviations)",
        params: &[
            Param::period_from("period", 20.0, 2.0),
            Param::real("up", 2.0, 0.0, 100.0),
            Param::real("down", 2.0, 0.0, 100.0),
        ],
        outputs: &["upper", "middle", "lower"],
        make: |p| Box::new(Bbands::new(usize_of(p[0]), p[1], p[2])),
    },
    Spec {
        name: "atr",
        about: "average true range (Wilder)",
        params: &[Param::period("period", 14.0)],
        outputs: &["atr"],
        make: |p| Box::new(Atr::new(usize_of(p[0]))),
    },
    Spec {
        name: "natr",
        about: "ATR as a % of the close",
        params: &[Param::period("period", 14.0)],
        outputs: &["natr"],
        make: |p| Box::new(Natr::new(usize_of(p[0]))),
    },
    Spec {
        name: "stddev",
        about: "population standard deviation times k",
        params: &[
            Param::period_from("period", 5.0, 2.0),
            Param::real("k", 1.0, 0.0, 100.0),
        ],
        outputs: &["stddev"],
        make: |p| Box::new(StdDev::new(usize_of(p[0]), p[1])),
    },
    Spec {
        name: "stoch",
        about: "slow stochastic: SMA-smoothed %K and its SMA %D",
        params: &[
            Param::period("fastk", 5.0),
            Param::period("slowk", 3.0),
            Param::period("slowd", 3.0),
        ],
        outputs: &["k", "d"],
        make: |p| {
            Box::new(Stochastic::new(
                usize_of(p[0]),
                usize_of(p[1]),
                usize_of(p[2]),
            ))
        },
    },
    Spec {
        name: "stochf",
        about: "fast stochastic: %K and its SMA %D",
        params: &[Param::period("fastk", 5.0), Param::period("fastd", 3.0)],
        outputs: &["k", "d"],
        make: |p| Box::new(StochF::new(usize_of(p[0]), usize_of(p[1]))),
    },
    Spec {
        name: "stochrsi",
        about: "fast stochastic of the RSI (TA-Lib's STOCHRSI)",
        params: &[
            Param::period_from("period", 14.0, 2.0),
            Param::period("fastk", 5.0),
            Param::period("fastd", 3.0),
        ],
        outputs: &["k", "d"],
        make: |p| {
            Box::new(StochRsi::new(
                usize_of(p[0]),
                usize_of(p[1]),
                usize_of(p[2]),
            ))
        },
    },
    Spec {
        name: "willr",
        about: "Williams %R",
        params: &[Param::period_from("period", 14.0, 2.0)],
        outputs: &["willr"],
        make: |p| Box::new(WillR::new(usize_of(p[0]))),
    },
    Spec {
        name: "cci",
        about: "commodity channel index",
        params: &[Param::period_from("period", 14.0, 2.0)],
        outputs: &["cci"],
        make: |p| Box::new(Cci::new(usize_of(p[0]))),
    },
    Spec {
        name: "mfi",
        about: "money flow index",
        params: &[Param::period_from("period", 14.0, 2.0)],
        outputs: &["mfi"],
        make: |p| Box::new(Mfi::new(usize_of(p[0]))),
    },
    Spec {
        name: "ultosc",
        about: "Ultimate Oscillator",
        params: &[
            Param::period("period1", 7.0),
            Param::period("period2", 14.0),
            Param::period("period3", 28.0),
        ],
        outputs: &["ultosc"],
        make: |p| Box::new(UltOsc::new(usize_of(p[0]), usize_of(p[1]), usize_of(p[2]))),
    },
    Spec {
        name: "aroon",
        about: "Aroon down and up",
        params: &[Param::period_from("period", 14.0, 2.0)],
        outputs: &["down", "up"],
        make: |p| Box::new(Aroon::new(usize_of(p[0]))),
    },
    Spec {
        name: "roc",
        about: "rate of change, %",
        params: &[Param::period("period", 10.0)],
        outputs: &["roc"],
        make: |p| Box::new(Roc::new(usize_of(p[0]))),
    },
    Spec {
        name: "mom",
        about: "momentum: close − close n bars ago",
        params: &[Param::period("period", 10.0)],
        outputs: &["mom"],
        make: |p| Box::new(Mom::new(usize_of(p[0]))),
    },
    Spec {
        name: "adx",
        about: "average directional index (Wilder)",
        params: &[Param::period_from("period", 14.0, 2.0)],
        outputs: &["adx"],
        make: |p| Box::new(Adx::new(usize_of(p[0]))),
    },
    Spec {
        name: "plus_di",
        about: "plus directional indicator",
        params: &[Param::period_from("period", 14.0, 2.0)],
        outputs: &["plus_di"],
        make: |p| Box::new(PlusDi::new(usize_of(p[0]))),
    },
    Spec {
        name: "minus_di",
        about: "minus directional indicator",
        params: &[Param::period_from("period", 14.0, 2.0)],
        outputs: &["minus_di"],
        make: |p| Box::new(MinusDi::new(usize_of(p[0]))),
    },
    Spec {
        name: "dmi",
        about: "directional movement: ADX, +DI and −DI in one",
        params: &[Param::period_from("period", 14.0, 2.0)],
        outputs: &["adx", "plus_di", "minus_di"],
        make: |p| Box::new(Dmi::new(usize_of(p[0]))),
    },
    Spec {
        name: "sar",
        about: "parabolic stop and reverse",
        params: &[
            Param::real("acceleration", 0.02, 0.0, 1.0),
            Param::real("maximum", 0.2, 0.0, 1.0),
        ],
        outputs: &["sar"],
        make: |p| Box::new(Sar::new(p[0], p[1])),
    },
    Spec {
        name: "obv",
        about: "on-balance volume",
        params: &[],
        outputs: &["obv"],
        make: |_| Box::new(Obv::new()),
    },
    Spec {
        name: "vwap",
        about: "volume-weighted average typical price of the UTC day",
        params: &[],
        outputs: &["vwap"],
        make: |_| Box::new(Vwap::new()),
    },
];

/// The columns of TA-Lib's reference file (`shared/reference/talib`), in its order: column name,
/// the expression that computes it with TA-Lib's default parameters, and which output.
pub fn reference_columns() -> Vec<(&'static str, &'static str, usize)> {
    vec![
        ("sma_20", "sma(20)", 0),
        ("ema_20", "ema(20)", 0),
        ("wma_20", "wma(20)", 0),
        ("rsi_14", "rsi(14)", 0),
        ("macd", "macd(12,26,9)", 0),
        ("macd_signal", "macd(12,26,9)", 1),
        ("macd_hist", "macd(12,26,9)", 2),
        ("bb_upper", "bbands(20,2,2)", 0),
        ("bb_middle", "bbands(20,2,2)", 1),
        ("bb_lower", "bbands(20,2,2)", 2),
        ("atr_14", "atr(14)", 0),
        ("natr_14", "natr(14)", 0),
        ("stoch_k", "stoch(14,3,3)", 0),
        ("stoch_d", "stoch(14,3,3)", 1),
        ("stochrsi_k", "stochrsi(14,5,3)", 0),
        ("stochrsi_d", "stochrsi(14,5,3)", 1),
        ("stochrsi_tv_k", "rsi(14) | stoch(14,3,3)", 0),
        ("stochrsi_tv_d", "rsi(14) | stoch(14,3,3)", 1),
        ("adx_14", "dmi(14)", 0),
        ("plus_di_14", "dmi(14)", 1),
        ("minus_di_14", "dmi(14)", 2),
        ("cci_20", "cci(20)", 0),
        ("obv", "obv", 0),
        ("mfi_14", "mfi(14)", 0),
        ("willr_14", "willr(14)", 0),
        ("roc_10", "roc(10)", 0),
        ("mom_10", "mom(10)", 0),
        ("stddev_20", "stddev(20,1)", 0),
        ("trix_15", "trix(15)", 0),
        ("dema_20", "dema(20)", 0),
        ("tema_20", "tema(20)", 0),
        ("kama_30", "kama(30)", 0),
        ("sar", "sar(0.02,0.2)", 0),
        ("aroon_down", "aroon(14)", 0),
        ("aroon_up", "aroon(14)", 1),
        ("ultosc", "ultosc(7,14,28)", 0),
    ]
}

/// Builds an indicator from an expression; also returns the names of its outputs.
pub fn build(expr: &str) -> Result<(Box<dyn Indicator>, Vec<String>), IndicatorError> {
    let mut built: Option<Stage> = None;
    for text in expr.split('|') {
        let stage = stage_of(expr, text.trim())?;
        built = Some(match built {
            None => stage,
            Some(prev) => Stage {
                indicator: Box::new(Chain::new(prev.indicator, prev.pick, stage.indicator)),
                ..stage
            },
        });
    }
    let stage = built.ok_or_else(|| syntax(expr, "empty expression"))?;
    Ok((stage.indicator, stage.names))
}

/// One `name(args).output` piece of an expression, built.
struct Stage {
    indicator: Box<dyn Indicator>,
    names: Vec<String>,
    /// The output the next stage reads.
    pick: usize,
}

fn syntax(expr: &str, detail: &str) -> IndicatorError {
    IndicatorError::Syntax {
        expr: expr.to_string(),
        detail: detail.to_string(),
    }
}

/// One `name(args).output` stage.
fn stage_of(expr: &str, stage: &str) -> Result<Stage, IndicatorError> {
    let (head, output) = match stage.rsplit_once('.') {
        Some((h, o))
            if !o.contains(')') && !o.chars().next().is_some_and(|c| c.is_ascii_digit()) =>
        {
            (h, Some(o.trim()))
        }
        _ => (stage, None),
    };
    let (name, args) = match head.split_once('(') {
        Some((n, rest)) => {
            let inner = rest
                .trim_end()
                .strip_suffix(')')
                .ok_or_else(|| syntax(expr, "missing `)`"))?;
            (
                n.trim(),
                inner
                    .split(',')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .collect::<Vec<_>>(),
            )
        }
        None => (head.trim(), Vec::new()),
    };
    let spec = specs()
        .into_iter()
        .find(|s| s.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| IndicatorError::Unknown(name.to_string()))?;
    let values = params(spec, &args)?;
    let pick = match output {
        None => 0,
        Some(o) => spec
            .outputs
            .iter()
            .position(|n| n.eq_ignore_ascii_case(o))
            .ok_or_else(|| IndicatorError::Param {
                name: spec.name.to_string(),
                detail: format!("no output `{o}`; outputs are {}", spec.outputs.join(", ")),
            })?,
    };
    let names = spec.outputs.iter().map(|s| s.to_string()).collect();
    Ok(Stage {
        indicator: (spec.make)(&values),
        names,
        pick,
    })
}

fn params(spec: &Spec, args: &[&str]) -> Result<Vec<f64>, IndicatorError> {
    let err = |detail: String| IndicatorError::Param {
        name: spec.name.to_string(),
        detail,
    };
    if args.len() > spec.params.len() {
        let names: Vec<&str> = spec.params.iter().map(|p| p.name).collect();
        return Err(err(format!(
            "takes at most {} parameter(s) ({})",
            spec.params.len(),
            names.join(", ")
        )));
    }
    spec.params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let Some(raw) = args.get(i) else {
                return Ok(p.default);
            };
            let v: f64 = raw
                .parse()
                .map_err(|_| err(format!("{} `{raw}` is not a number", p.name)))?;
            let whole = !p.integer || v.fract() == 0.0;
            if whole && (p.min..=p.max).contains(&v) {
                Ok(v)
            } else {
                let kind = if p.integer {
                    "a whole number"
                } else {
                    "a number"
                };
                Err(err(format!(
                    "{} must be {kind} from {} to {}, got {raw}",
                    p.name, p.min, p.max
                )))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::Candle;

    fn bar(close: f64) -> Candle {
        Candle {
            open_time: 0,
            open: close,
            high: close,
            low: close,
            close,
            volume: 1.0,
        }
    }

    #[test]
    fn builds_with_defaults_arguments_and_chains() {
        let (mut a, names) = build("sma").unwrap();
        assert_eq!((a.lookback(), names), (29, vec!["sma".to_string()]));
        let (mut b, _) = build("sma(2) | sma(2)").unwrap();
        assert_eq!(b.lookback(), 2);
        for x in [1.0, 2.0, 3.0] {
            a.update(&bar(x));
            b.update(&bar(x));
        }
        assert_eq!(b.value(), Some(2.0), "mean of 1.5 and 2.5");
    }

    #[test]
    fn explains_what_is_wrong() {
        let e = |s: &str| build(s).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e("smaa(5)").contains("unknown indicator `smaa`"));
        assert!(e("sma(0)").contains("period must be a whole number from 1"));
        assert!(e("sma(2.5)").contains("whole number"));
        assert!(e("sma(5, 6)").contains("at most 1 parameter"));
        assert!(e("sma(5").contains("missing `)`"));
        assert!(e("sma.upper").contains("no output `upper`"));
    }
}
