// The kinds of a row value in the chart tables (`kind << 28 | payload`): the one definition of the
// format that `tools/charts/tables.rs` writes (at build time) and `src/model/charts.rs` reads.
const NULL: u32 = 0;
const BOOL: u32 = 1;
const INT: u32 = 2;
const FLOAT: u32 = 3;
const STR: u32 = 4;
const EMPTY_MAP: u32 = 5;
const EMPTY_SEQ: u32 = 6;
const DOC: u32 = 7;
const OPEN: u32 = 8;
