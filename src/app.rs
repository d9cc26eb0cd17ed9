//! The pipelines: what `acp-check lint` and `acp-check probe` do, from options to the findings a
//! report shows. Both end at the same boundary: the findings pass policy (rule levels, inline
//! suppressions), then every secret read is masked in their texts and in the JSON pointers of their
//! places, once, before any reporter sees them.

use std::time::{Duration, Instant};

use crate::config::Config;
use crate::core::redact::Redactor;
use crate::core::source::{Sources, SpanMap, SpanSet};
use crate::core::Fatal;
use crate::diagnostic::{self, Finding, Rule, Severity};
use crate::input::{self, Loaded};
use crate::report::{Prepared, Report};
use crate::rules::{self, Context};

/// What a run found, masked, with what reporting it needs.
pub struct Outcome {
    /// Every source read: the findings point into them.
    pub sources: Sources,
    /// The JSON pointer of each place the findings name, masked (`None`: the place has none).
    pub pointers: SpanMap<Option<String>>,
    pub findings: Prepared,
    /// The rules the run checked (those the config leaves on), in catalogue order.
    pub enabled: Vec<&'static Rule>,
    /// The `host:port` targets a probe checked, and those whose checks stopped early, with why.
    pub targets: Vec<String>,
    pub unreached: Vec<(String, String)>,
    /// Secrets the run read that no source holds (the probe's password): snippets hide them too.
    pub secrets: Vec<String>,
    /// What directory searches read and skipped, if a directory was searched.
    pub searched: Option<input::Searched>,
    /// Warnings about the command line, to show once on standard error.
    pub notes: Vec<String>,
}

impl Outcome {
    /// The report every format is written from (it takes the findings over).
    pub fn report(&mut self) -> Report<'_> {
        let findings = std::mem::take(&mut self.findings);
        let pointers = std::mem::take(&mut self.pointers);
        Report::prepared(findings, &self.sources, pointers, &self.secrets)
            .catalogue(rules::ALL)
            .enabled(std::mem::take(&mut self.enabled))
            .targets(std::mem::take(&mut self.targets))
            .unreached(std::mem::take(&mut self.unreached))
            .files(self.searched.as_ref().map(|s| (s.read, s.skipped.len())))
    }
}

/// `acp-check lint`: reads the inputs, and for each deployment they hold runs every rule, then
/// applies the config's rule levels and the inline suppressions, and masks secrets. Inputs are read,
/// and deployments checked, in parallel; the result does not depend on it. An input that is a
/// deployment of its own (a values file found in a directory, say) is checked as soon as it is
/// read, and only what reporting needs of it is kept; the others are grouped once all are read.
pub fn lint(options: &input::Options, config: &Config) -> Result<Outcome, Fatal> {
    let plan = input::plan(options)?;
    let check = |group: Vec<input::Piece>| {
        let loaded = input::assemble(&plan, group, options)?;
        Ok::<_, Fatal>(check_deployment(loaded, config))
    };
    let read = crate::core::parallel::map((0..plan.len()).collect(), |i| {
        let piece = input::read(&plan, i)?;
        if input::settled(&plan, &piece) {
            check(vec![piece]).map(Read::Checked)
        } else {
            Ok(Read::Pending(piece))
        }
    });
    let mut parts = Vec::new();
    let mut pending = Vec::new();
    for result in read {
        match result? {
            Read::Checked(part) => parts.push(part),
            Read::Pending(piece) => pending.push(piece),
        }
    }
    for part in crate::core::parallel::map(input::deployments(&plan, pending), check) {
        parts.push(part?);
    }
    let mut sources = Vec::with_capacity(parts.len());
    let mut pointers = SpanMap::default();
    pointers.reserve(parts.iter().map(|p| p.pointers.len()).sum());
    let mut findings = Vec::with_capacity(parts.len());
    for part in parts {
        sources.push(part.sources);
        pointers.extend(part.pointers);
        findings.push(part.findings);
    }
    let sources = Sources::join(sources);
    let findings = Prepared::join(findings);
    Ok(Outcome {
        notes: plan.unused_values_from(options),
        searched: plan.searched.clone(),
        secrets: Vec::new(),
        sources,
        pointers,
        findings,
        enabled: crate::policy::enabled_rules(config, &rules::lint_rules()),
        targets: Vec::new(),
        unreached: Vec::new(),
    })
}

/// The most rounds `--fix` makes: a round applies the fixes that do not overlap, and the next
/// lints the fixed text again (a fix may leave another to make, or make one possible).
const MAX_FIX_ROUNDS: usize = 10;

/// A file `--fix` changes (or `--diff` would).
pub struct FixedFile {
    /// As the report names it (the path it was read from).
    pub name: String,
    /// Its text as read, and fixed.
    pub old: String,
    pub new: String,
    /// Both as a report may show them: every secret masked, line by line.
    pub old_shown: String,
    pub new_shown: String,
    /// How many findings its fixes fix.
    pub fixed: usize,
}

/// `--fix` and `--diff`: lints, applies the fixes the findings carry (the safe ones, and the
/// unsafe ones with `unsafe_fixes`) to the files' texts in memory, lints the fixed texts again,
/// and goes on while fixes apply (at most [`MAX_FIX_ROUNDS`] rounds). Writes nothing: gives the
/// last round's outcome and each file's old and fixed text.
pub fn fix(
    options: &input::Options,
    config: &Config,
    unsafe_fixes: bool,
) -> Result<(Outcome, Vec<FixedFile>), Fatal> {
    let mut outcome = lint(options, config)?;
    let mut overlay: std::collections::HashMap<std::path::PathBuf, Vec<u8>> = Default::default();
    // By name, in the order first changed: the text as read (and shown), and the count fixed.
    let mut files: Vec<(String, String, String, usize)> = Vec::new();
    for _ in 0..MAX_FIX_ROUNDS {
        let changes = crate::fix::apply(outcome.findings.findings(), &outcome.sources, unsafe_fixes);
        let mut changed = false;
        for change in changes {
            let source = outcome.sources.get(change.source);
            // A name that is not the path's own spelling (not UTF-8) cannot be written back.
            if source.name.contains('\u{FFFD}') {
                continue;
            }
            match files.iter_mut().find(|f| f.0 == source.name) {
                Some(file) => file.3 += change.fixed,
                None => files.push((
                    source.name.clone(),
                    source.text.clone(),
                    shown(source),
                    change.fixed,
                )),
            }
            overlay.insert(std::path::PathBuf::from(&source.name), change.text.into_bytes());
            changed = true;
        }
        if !changed {
            break;
        }
        outcome = crate::core::read::with_overlay(overlay.clone(), || lint(options, config))?;
    }
    let fixed = files
        .into_iter()
        .filter_map(|(name, old, old_shown, fixed)| {
            let new = String::from_utf8(overlay.remove(std::path::Path::new(&name))?).ok()?;
            let new_shown = outcome
                .sources
                .iter()
                .find(|(_, s)| s.name == name)
                .map_or_else(|| crate::core::redact::mask_free_text(&new), |(_, s)| shown(s));
            (new != old).then_some(FixedFile {
                name,
                old,
                new,
                old_shown,
                new_shown,
                fixed,
            })
        })
        .collect();
    Ok((outcome, fixed))
}

/// A source's text as a report may show it: every secret it holds masked, wherever it is written.
fn shown(source: &crate::core::source::Source) -> String {
    source.redacted_with(&source.occurrences(&[])).text
}

/// An input read: checked already, or waiting for the others of its deployment.
enum Read {
    Checked(Part),
    Pending(input::Piece),
}

/// One deployment, checked: what reporting needs of it (its documents and model are let go, so that
/// a large tree never holds every document at once).
struct Part {
    sources: Sources,
    pointers: SpanMap<Option<String>>,
    findings: Prepared,
}

fn check_deployment(loaded: Loaded, config: &Config) -> Part {
    let context = Context::new(
        &loaded.deployment,
        &loaded.documents,
        &loaded.problems,
        &loaded.sources,
        &config.versions,
    );
    let mut findings = rules::check(&context);
    for finding in &mut findings {
        finding.deployment.clone_from(&loaded.deployment.name);
    }
    let mut findings = crate::policy::apply(findings, config, &loaded.sources);
    // Masked deployment by deployment: masking each finding with every secret of a large run would
    // take quadratic time.
    let secrets = Redactor::of(&loaded.sources);
    diagnostic::mask(&mut findings, &secrets);
    crate::fix::screen(&mut findings, &loaded.sources, &secrets);
    let pointers = pointers(&loaded, &findings, &secrets);
    let findings = Prepared::new(findings, &loaded.sources, &pointers);
    Part {
        sources: loaded.sources,
        pointers,
        findings,
    }
}

/// The JSON pointers of every place the findings name, all at once (a file may have thousands of
/// findings), and masked: a key can hold a secret (a whole redis.conf line written as a key, say).
fn pointers(loaded: &Loaded, findings: &[Finding], secrets: &Redactor) -> SpanMap<Option<String>> {
    let spans: SpanSet = findings
        .iter()
        .flat_map(|f| f.span.into_iter().chain(f.related.iter().map(|r| r.span)))
        .collect();
    let mut found = loaded.pointers(&spans);
    spans
        .into_iter()
        .map(|span| {
            let pointer = found.remove(&span).map(|mut p| {
                secrets.mask(&mut p);
                p
            });
            (span, pointer)
        })
        .collect()
}

/// The probe, once, or under `--wait` again and again with backoff until it passes. Every attempt
/// ends by `--deadline`; under `--wait`, also by the end of the wait: an attempt never begins with
/// less than one `--timeout` left (it could not wait for a single reply), and the last one gets
/// what is left.
fn attempts(
    options: &ProbeOptions,
    settings: &crate::probe::Settings,
    setup: &[Finding],
    config: &Config,
    sources: &Sources,
    secrets: &Redactor,
) -> (Vec<Finding>, Vec<String>, Vec<(String, String)>) {
    let started = Instant::now();
    let wait_end = options.wait.map(|wait| started + wait);
    let mut backoff = Duration::from_millis(500);
    let mut attempt = 1;
    loop {
        let now = Instant::now();
        let deadline = match (options.wait, wait_end) {
            (Some(wait), Some(end)) if end < now + settings.deadline => crate::probe::Deadline {
                at: end,
                set_by: format!("--wait {}", crate::core::text::human_duration(wait)),
            },
            _ => crate::probe::Deadline {
                at: now + settings.deadline,
                set_by: format!(
                    "--deadline {}",
                    crate::core::text::human_duration(settings.deadline)
                ),
            },
        };
        let mut findings = setup.to_vec();
        let probed = crate::probe::run(settings, &deadline);
        findings.extend(probed.findings);
        findings = crate::policy::apply(findings, config, sources);
        let failed = findings.iter().find(|f| f.severity == Severity::Error);
        let left = wait_end.map_or(Duration::ZERO, |end| {
            end.saturating_duration_since(Instant::now())
        });
        let Some(failed) = failed.filter(|_| left > settings.timeout) else {
            return (findings, probed.targets, probed.unreached);
        };
        // Leave the next attempt at least one timeout.
        let pause = backoff.min(left - settings.timeout);
        if options.progress {
            let mut line = format!(
                "acp-check: attempt {attempt} failed ({}); trying again in {} ({}s left)",
                failed.rule.id,
                crate::core::text::human_duration(pause),
                left.as_secs()
            );
            secrets.mask(&mut line);
            eprintln!("{line}");
        }
        std::thread::sleep(pause);
        backoff = (backoff * 2).min(Duration::from_secs(5));
        attempt += 1;
    }
}

/// What `acp-check probe` is asked to do.
#[derive(Debug, Default)]
pub struct ProbeOptions {
    /// `-f` files: the platform's values (addresses, password source, TLS settings).
    pub values: Vec<String>,
    pub probe: crate::probe::Options,
    /// `--wait`: repeat the probe, with backoff, until it passes or this much time has passed.
    pub wait: Option<Duration>,
    /// Say on standard error why each attempt failed (a person is watching).
    pub progress: bool,
}

/// `acp-check probe`: plans the probe from the flags and the values, probes (again and again, with
/// backoff, under `--wait`), applies the config's rule levels and masks every secret, the password
/// given to the probe among them.
pub fn probe(options: &ProbeOptions, config: &Config) -> Result<Outcome, Fatal> {
    if options.values.iter().filter(|v| *v == "-").count() > 1 {
        return Err(Fatal("standard input (-) can be read only once".into()));
    }
    let loaded = if options.values.is_empty() {
        None
    } else {
        Some(input::load(&input::Options {
            values: options.values.clone(),
            ..Default::default()
        })?)
    };
    let deployment = loaded.as_ref().map(|l| &l.deployment);
    let (settings, setup) = crate::probe::settings(&options.probe, deployment, config)?;
    let empty = Sources::default();
    let sources = loaded.as_ref().map_or(&empty, |l| &l.sources);
    let mut secrets = Redactor::of(sources);
    for secret in settings.password.iter().chain(&settings.other_secrets) {
        secrets.add(&secret.0);
    }
    let (mut findings, targets, unreached) = attempts(options, &settings, &setup, config, sources, &secrets);
    diagnostic::mask(&mut findings, &secrets);
    let unreached = unreached
        .into_iter()
        .map(|(target, mut why)| {
            secrets.mask(&mut why);
            (target, why)
        })
        .collect();
    let pointers = match &loaded {
        Some(loaded) => pointers(loaded, &findings, &secrets),
        None => SpanMap::default(),
    };
    let sources = loaded.map(|l| l.sources).unwrap_or_default();
    let findings = Prepared::new(findings, &sources, &pointers);
    Ok(Outcome {
        notes: Vec::new(),
        searched: None,
        sources,
        pointers,
        findings,
        enabled: crate::policy::enabled_rules(config, &rules::probe_rules()),
        targets,
        unreached,
        secrets: settings
            .password
            .iter()
            .chain(&settings.other_secrets)
            .map(|s| s.0.clone())
            .collect(),
    })
}
