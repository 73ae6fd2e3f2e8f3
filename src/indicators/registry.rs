//! Every indicator by name, with its parameters (defaults are TA-Lib's) and output names, and a
//! small expression language to build them: `sma(50)`, `bbands(20, 2)`, `rsi` (defaults), and
//! `rsi(14) | sma(5)` (an indicator over an indicator; `macd.signal | ema(5)` picks an output).

use super::{Chain, Indicator, Sma};

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

static BUILTIN: &[Spec] = &[Spec {
    name: "sma",
    about: "simple moving average",
    params: &[Param::period("period", 20.0)],
    outputs: &["sma"],
    make: |p| Box::new(Sma::new(usize_of(p[0]))),
}];

/// The columns of TA-Lib's reference file (`shared/reference/talib`), in its order: column name,
/// the expression that computes it with TA-Lib's default parameters, and which output.
pub fn reference_columns() -> Vec<(&'static str, &'static str, usize)> {
    vec![("sma_20", "sma(20)", 0)]
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
        assert_eq!((a.lookback(), names), (19, vec!["sma".to_string()]));
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
