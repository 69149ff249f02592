//! Controller runtime for rkube: watcher, reflector, work queue, controller loop, leader election.
#![warn(missing_docs)]
