//! `fluxdeck kustomize DIR`: the native kustomize build, printed like `kubectl kustomize DIR`.

use super::CommandError;
use crate::cli::KustomizeArgs;
use crate::engine::kustomize;

pub fn run(args: &KustomizeArgs) -> Result<i32, CommandError> {
    let docs = kustomize::build_restricted(&kustomize::RealFs, &args.dir, args.load_restrictor)
        .map_err(|e| CommandError::Usage(e.to_string()))?;
    print!("{}", kustomize::render(&docs));
    Ok(0)
}
