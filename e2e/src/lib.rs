//! Whole-system tests and benchmarks for rkube.
#![warn(missing_docs)]
