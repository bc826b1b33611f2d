//! Two processes acting for one node at once — the server and the CLI beside it, each
//! with its own connection to the same database — cannot both make a move that only
//! one of them may make: the second is checked again against the history the first
//! recorded, so the history always replays.

use super::node::{FedNode, now, recognize_each_other, settle};
use super::treaty::{draft, json};
use std::sync::{Arc, Barrier};

#[tokio::test(flavor = "multi_thread")]
async fn two_processes_proposing_at_once_record_one_proposal() {
    let a = FedNode::start("CERT-A", 1).await;
    let b = FedNode::start("CERT-B", 2).await;
    recognize_each_other(&a, &b).await;
    let processes = [a.diplomat.clone(), a.second_process()];
    for round in 0..10 {
        let start = Arc::new(Barrier::new(processes.len()));
        let racers: Vec<_> = processes
            .iter()
            .map(|diplomat| {
                let (diplomat, start, partner) = (diplomat.clone(), start.clone(), b.id.clone());
                let treaty = json(&draft(&[&a.id, &b.id], &a.id, 0));
                std::thread::spawn(move || {
                    start.wait();
                    diplomat.propose(&partner, &treaty, now()).map_err(|error| error.code())
                })
            })
            .collect();
        let outcomes: Vec<_> = racers.into_iter().map(|racer| racer.join().expect("racer")).collect();
        let won = outcomes.iter().filter(|outcome| outcome.is_ok()).count();
        assert_eq!(won, 1, "round {round}: exactly one proposal is legal: {outcomes:?}");
        assert!(outcomes.contains(&Err("illegal-move")), "round {round}: {outcomes:?}");
        assert_eq!(a.relation(&b).state, "negotiating");
        a.diplomat.withdraw(&b.id, now()).expect("withdraw");
    }
    let view = settle(&a, &b).await;
    assert_eq!((view.state.as_str(), view.notes), ("recognized", 2 + 20));
}
