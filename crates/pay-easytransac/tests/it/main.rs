//! Integration tests of the Easytransac adapter crate: the generated wire types read our
//! fixture bodies exactly, keep unknown values, validate requests and write exact JSON.

mod wire;
