//! Shared helpers of the kustomize tests: the reference kubectl, and a generator of overlay
//! trees with N resources that exercise the common transformers.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const KUBECTL: &str = "/usr/lib/google-cloud-sdk/bin/kubectl.1.33";

/// `kubectl kustomize DIR`: Ok(stdout) or Err(stderr). None when kubectl is not installed.
pub fn reference(dir: &Path) -> Option<Result<String, String>> {
    if !Path::new(KUBECTL).exists() {
        return None;
    }
    let out = Command::new(KUBECTL)
        .arg("kustomize")
        .arg(dir)
        .output()
        .ok()?;
    if out.status.success() {
        Some(Ok(String::from_utf8_lossy(&out.stdout).into_owned()))
    } else {
        Some(Err(String::from_utf8_lossy(&out.stderr).into_owned()))
    }
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

/// Write a base + overlay tree with `n` resources under `root`; returns the overlay dir.
/// The base holds Deployments, Services, ConfigMaps and ServiceAccounts (in several files and a
/// nested component-free sub-base) plus generated ConfigMaps/Secrets; the overlay adds a
/// namespace, prefix, labels, annotations, images, replicas, strategic merge and JSON 6902
/// patches with selectors, a replacement and a merging generator.
pub fn generate_tree(root: &Path, n: usize) -> PathBuf {
    let apps = (n / 4).max(1);
    let base = root.join("base");
    let sub = base.join("shared");
    let mut deployments = String::new();
    let mut services = String::new();
    let mut configs = String::new();
    for i in 0..apps {
        let tier = ["web", "api", "worker"][i % 3];
        let _ = write!(
            deployments,
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  labels:\n    app: app-{i}\n    tier: {tier}\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: app-{i}\n  template:\n    metadata:\n      labels:\n        app: app-{i}\n    spec:\n      serviceAccountName: sa-{i}\n      containers:\n      - name: main\n        image: registry.example.com/team/app:1.{i}.0\n        args: [\"--port=8080\", \"--name=app-{i}\", \"--verbose\"]\n        ports:\n        - containerPort: 8080\n          name: http\n        env:\n        - name: MODE\n          value: \"production\"\n        - name: CONFIG\n          valueFrom:\n            configMapKeyRef:\n              name: settings\n              key: level\n        envFrom:\n        - configMapRef:\n            name: config-{i}\n        - secretRef:\n            name: credentials\n        resources:\n          limits:\n            cpu: 500m\n            memory: 128Mi\n      volumes:\n      - name: data\n        configMap:\n          name: config-{i}\n"
        );
        let _ = write!(
            services,
            "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: app-{i}\nspec:\n  selector:\n    app: app-{i}\n  ports:\n  - port: 80\n    targetPort: http\n    protocol: TCP\n"
        );
        let _ = write!(
            configs,
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-{i}\ndata:\n  index: \"{i}\"\n  enabled: \"true\"\n  description: Configuration for application number {i}, which is long enough to make the emitter fold this line at eighty columns\n  script: |\n    #!/bin/sh\n    echo app-{i}\n"
        );
    }
    let mut accounts = String::new();
    for i in 0..(n - 3 * apps).max(1) {
        let _ = write!(
            accounts,
            "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa-{i}\n"
        );
    }
    write(&base.join("deployments.yaml"), &deployments);
    write(&base.join("services.yaml"), &services);
    write(&base.join("configmaps.yaml"), &configs);
    write(&sub.join("accounts.yaml"), &accounts);
    write(
        &sub.join("kustomization.yaml"),
        "resources:\n- accounts.yaml\ncommonAnnotations:\n  team: platform\n",
    );
    write(
        &base.join("settings.env"),
        "level=debug\n# comment\nregion=eu-west-1\n",
    );
    write(
        &base.join("kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- deployments.yaml\n- services.yaml\n- configmaps.yaml\n- shared\nconfigMapGenerator:\n- name: settings\n  envs:\n  - settings.env\nsecretGenerator:\n- name: credentials\n  literals:\n  - username=admin\n  - password=s3cr3t\nlabels:\n- pairs:\n    app.kubernetes.io/part-of: fleet\n  includeSelectors: false\n",
    );
    let overlay = root.join("overlay");
    write(
        &overlay.join("kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: production\nnamePrefix: prod-\nnameSuffix: -v2\nresources:\n- ../base\ncommonLabels:\n  env: production\ncommonAnnotations:\n  owner: sre\nimages:\n- name: registry.example.com/team/app\n  newName: mirror.example.com/team/app\n  newTag: \"2.0\"\nreplicas:\n- name: app-0\n  count: 3\nconfigMapGenerator:\n- name: settings\n  behavior: merge\n  literals:\n  - level=info\npatches:\n- target:\n    kind: Deployment\n    labelSelector: tier=web\n  patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: ignored\n    spec:\n      template:\n        spec:\n          containers:\n          - name: main\n            resources:\n              limits:\n                memory: 256Mi\n- target:\n    kind: Service\n    name: app-1.*\n  patch: |-\n    - op: add\n      path: /metadata/annotations/exposed\n      value: \"yes\"\nreplacements:\n- source:\n    kind: ConfigMap\n    name: settings\n    fieldPath: data.level\n  targets:\n  - select:\n      kind: Deployment\n      name: app-0\n    fieldPaths:\n    - spec.template.metadata.annotations.level\n    options:\n      create: true\n",
    );
    overlay
}
