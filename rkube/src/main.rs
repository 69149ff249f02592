//! The rkube binary.
fn main() {
    println!("rkube: not yet wired");
}
