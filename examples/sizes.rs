fn main() {
    let dump = std::env::args().nth(1);
    let mut total = 0;
    for t in hatchet_mcp::mcp::tools::registered(true) {
        let m = t.to_mcp();
        let text = serde_json::to_string(&m).unwrap();
        total += text.len();
        if dump.as_deref() == Some(t.name) {
            println!("{text}");
        }
    }
    println!("total {total}");
}
