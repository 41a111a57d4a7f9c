pub fn embedded() -> Vec<serde_json::Value> {
    Vec::new()
}
