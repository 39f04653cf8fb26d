//! trybuild: the forms `#[performance_timer]` accepts compile, and the refused forms fail
//! with the messages committed in `tests/ui/fail/*.stderr`.

#[test]
fn performance_timer_accepted_and_refused_forms() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
