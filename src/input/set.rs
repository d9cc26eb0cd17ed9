// Temporary stand-in until the real parser lands (not committed).
use crate::source::SourceId;
use crate::tree::Map;
#[derive(Clone, Copy, Debug)]
pub enum SetKind {
    Typed,
    String,
    File,
}
#[derive(Debug)]
pub struct SetError {
    pub span: std::ops::Range<usize>,
    pub message: String,
}
pub fn apply(
    _t: &str,
    _s: SourceId,
    _k: SetKind,
    _b: &mut Map,
    _r: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<Vec<std::ops::Range<usize>>, SetError> {
    Ok(vec![])
}
