//! Scale sanity: 5,000 Flux objects must not make a frame slow (no quadratic paths in the
//! index, list, tree or renderers). Debug-build bounds are loose; the benchmarks measure.

use crate::tui_support;

use fluxdeck::tui::app::View;
use fluxdeck::tui::backend::StoredObject;
use fluxdeck::tui::headless::{prepared_app, render_buffer};
use std::sync::Arc;
use std::time::Instant;
use tui_support::*;

fn big_fleet(n: usize) -> fluxdeck::tui::backend::Snapshot {
    let mut snap = fleet();
    let applied = format!("Applied revision: main@sha1:{SHA}");
    for i in 0..n {
        let deps: Vec<String> = if i > 0 {
            vec![format!("app-{}", i - 1)]
        } else {
            vec![]
        };
        let dep_refs: Vec<&str> = deps.iter().map(String::as_str).collect();
        let inv = format!("apps_app-{i}_apps_Deployment");
        let c = if i % 50 == 0 {
            cond("Ready", "False", "BuildFailed", "kustomize build failed", 3)
        } else {
            ready(&applied)
        };
        snap.objects.push(Arc::new(StoredObject::from_value(&ks(
            "tenants",
            &format!("app-{i}"),
            vec![c],
            &dep_refs,
            &[inv.as_str()],
        ))));
    }
    snap
}

#[test]
fn five_thousand_objects_render_quickly() {
    let snap = big_fleet(5000);
    for view in [View::List, View::Tree, View::Events, View::Detail] {
        let start = Instant::now();
        let mut app = prepared_app(
            &snap,
            view,
            Some("Kustomization/tenants/app-4999"),
            frame_opts(false),
        );
        let buf = render_buffer(&mut app, 120, 40);
        let first = start.elapsed();
        // A watch event: a new snapshot, then one frame.
        let start = Instant::now();
        app.set_snapshot(Arc::new(snap.clone()));
        render_buffer(&mut app, 120, 40);
        let update = start.elapsed();
        eprintln!("{view:?}: first frame {first:?}, update+frame {update:?}");
        assert!(
            first.as_secs_f64() < 5.0 && update.as_secs_f64() < 5.0,
            "{view:?} too slow: {first:?} / {update:?}"
        );
        assert!(buf.area.width == 120);
    }
    let mut app = prepared_app(&snap, View::List, None, frame_opts(false));
    assert_eq!(app.list_model().rows.len(), 5015);
    assert_eq!(app.index.counts.failing, 4 + 100);
}
