//! `entente score model show|set`: the decay model indicator scores follow.

use crate::cli::{ScoreCommand, ScoreModelCommand};
use crate::datadir::DataDir;
use crate::output::emit;
use anyhow::Context;
use entente_core::score::ScoreModel;
use std::io::Read;

pub fn run(dir: &DataDir, command: ScoreCommand) -> anyhow::Result<()> {
    let store = dir.open_store()?;
    match command {
        ScoreCommand::Model(ScoreModelCommand::Show { json }) => {
            let model = entente_server::knowledge::score_model(&store)?;
            emit(json, &model, |model| {
                let mut text = format!(
                    "default: lifetime {} days, decay speed {}, threshold {}, base score {}",
                    model.default.lifetime_days,
                    model.default.decay_speed,
                    model.default.threshold,
                    model.default.base_score
                );
                let named = model.by_label.iter().map(|(name, decay)| (format!("label {name}"), decay));
                let named = named.chain(model.by_type.iter().map(|(name, decay)| (format!("type {name}"), decay)));
                for (name, decay) in named {
                    text.push_str(&format!(
                        "\n{name}: lifetime {} days, decay speed {}, threshold {}, base score {}",
                        decay.lifetime_days, decay.decay_speed, decay.threshold, decay.base_score
                    ));
                }
                text
            })
        }
        ScoreCommand::Model(ScoreModelCommand::Set { file }) => {
            let mut text = String::new();
            if file.as_os_str() == "-" {
                std::io::stdin().read_to_string(&mut text)?;
            } else {
                text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            }
            let model = ScoreModel::parse(&text).context("the model was not set")?;
            store.set_score_model(&serde_json::to_string(&model)?)?;
            println!("score model set; scores follow it from now on (`entente score model show`)");
            Ok(())
        }
    }
}
