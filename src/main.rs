#![forbid(unsafe_code)]
fn main() -> color_eyre::Result<()> {
    color_eyre::install()?;
    Ok(())
}
