//! `suspend`, `resume`, `reconcile`: resolve the kind, find the objects, call the intents.

use std::time::Duration;

use kube::api::ListParams;
use kube::discovery::ApiResource;

use super::{CommandError, Ctx, obj_name};
use crate::cli::{ReconcileArgs, ResumeArgs, SuspendArgs};
use crate::cluster::intents::{self, IntentError, ReconcileFlags, Target, source_of};
use crate::cluster::kinds::{KindName, Served, parse_flux_kind};
use crate::cluster::progress::{Reporter, StderrReporter};
use crate::engine::duration;

fn kind_and_names(words: &[String]) -> Result<(KindName, Vec<String>), CommandError> {
    let (kind, used) = parse_flux_kind(words).ok_or_else(|| {
        CommandError::Usage(format!(
            "unknown kind {:?}: try ks, hr, source git, image policy",
            words.join(" ")
        ))
    })?;
    Ok((kind, words[used..].to_vec()))
}

/// The targets: named objects, or with --all every object of the kind in the namespace.
async fn targets(ctx: &Ctx, words: &[String], all: bool) -> Result<Vec<Target>, CommandError> {
    let (kind, names) = kind_and_names(words)?;
    let served = ctx.served().await?;
    let (ar, caps) = served.resolve(&kind)?;
    let namespace = Served::is_namespaced(&caps).then(|| ctx.namespace.clone());
    let names = if all {
        let api = ctx.api(&ar, namespace.is_some(), false);
        ctx.list(&api, &ListParams::default())
            .await?
            .iter()
            .map(|o| obj_name(o).to_string())
            .collect()
    } else if names.is_empty() {
        return Err(CommandError::Usage(format!(
            "{} name is required (or --all)",
            kind.kind
        )));
    } else {
        names
    };
    Ok(names
        .into_iter()
        .map(|name| Target {
            resource: ar.clone(),
            namespace: namespace.clone(),
            name,
        })
        .collect())
}

fn parse_timeout(s: &str) -> Result<Duration, CommandError> {
    duration::parse(s).map_err(|e| CommandError::Usage(format!("--timeout: {e}")))
}

/// Run one intent per target; failures are reported and counted, not fatal to the others.
fn tally(r: &StderrReporter, kind: &str, failures: usize, verb: &str) -> Result<i32, CommandError> {
    if failures > 0 {
        r.failure(format!("{verb} failed for {failures} {kind}(s)"));
        return Ok(1);
    }
    Ok(0)
}

pub async fn suspend(ctx: &Ctx, args: &SuspendArgs) -> Result<i32, CommandError> {
    ctx.require_writable("suspend")?;
    let r = StderrReporter { ascii: ctx.ascii };
    let mut failures = 0;
    let ts = targets(ctx, &args.words, args.all).await?;
    for t in &ts {
        if let Err(e) =
            intents::suspend(&ctx.client, t, args.reason.as_deref(), &ctx.actor, &r).await
        {
            r.failure(e.to_string());
            failures += 1;
        }
    }
    tally(&r, &kind_label(&ts), failures, "suspend")
}

pub async fn resume(ctx: &Ctx, args: &ResumeArgs) -> Result<i32, CommandError> {
    ctx.require_writable("resume")?;
    let r = StderrReporter { ascii: ctx.ascii };
    let ts = targets(ctx, &args.words, args.all).await?;
    let wait = args.wait.unwrap_or(ts.len() == 1 && !args.all);
    let timeout = parse_timeout(&args.timeout)?;
    let mut failures = 0;
    for t in &ts {
        if let Err(e) = intents::resume(&ctx.client, t, wait.then_some(timeout), &r).await {
            r.failure(e.to_string());
            failures += 1;
        }
    }
    tally(&r, &kind_label(&ts), failures, "reconciliation")
}

fn kind_label(ts: &[Target]) -> String {
    ts.first()
        .map(|t| t.resource.kind.clone())
        .unwrap_or_default()
}

pub async fn reconcile(ctx: &Ctx, args: &ReconcileArgs) -> Result<i32, CommandError> {
    ctx.require_writable("reconcile")?;
    let r = StderrReporter { ascii: ctx.ascii };
    let ts = targets(ctx, &args.words, false).await?;
    let timeout = parse_timeout(&args.timeout)?;
    let flags = ReconcileFlags {
        force: args.force,
        reset: args.reset,
    };
    let mut failures = 0;
    for t in &ts {
        let result = if args.with_source {
            reconcile_with_source(ctx, t, flags, timeout, &r).await
        } else {
            intents::reconcile(&ctx.client, t, flags, timeout, &r)
                .await
                .map(|_| ())
                .map_err(CommandError::from)
        };
        if let Err(e) = result {
            r.failure(e.to_string());
            failures += 1;
        }
    }
    tally(&r, &kind_label(&ts), failures, "reconciliation")
}

/// Source first, then the object (SPEC §4.3 step 2).
pub async fn reconcile_with_source(
    ctx: &Ctx,
    t: &Target,
    flags: ReconcileFlags,
    timeout: Duration,
    r: &dyn Reporter,
) -> Result<(), CommandError> {
    let api = ctx.api(&t.resource, t.namespace.is_some(), false);
    let obj = serde_json::to_value(api.get(&t.name).await?).unwrap_or_default();
    let (kind, name, _api_version, ns) =
        source_of(&obj).ok_or_else(|| IntentError::NoSource(t.name.clone()))?;
    if kind == "ExternalArtifact" {
        return Err(IntentError::UnsupportedSource(kind).into());
    }
    let served = ctx.served().await?;
    let group = if kind == "HelmChart" || kind.ends_with("Repository") || kind == "Bucket" {
        "source.toolkit.fluxcd.io"
    } else {
        return Err(IntentError::UnsupportedSource(kind).into());
    };
    let (ar, _): (ApiResource, _) = served.resolve(&KindName {
        group: group.into(),
        kind: kind.clone(),
    })?;
    let source = Target {
        resource: ar,
        namespace: ns,
        name,
    };
    intents::reconcile(&ctx.client, &source, ReconcileFlags::default(), timeout, r).await?;
    intents::reconcile(&ctx.client, t, flags, timeout, r).await?;
    Ok(())
}
