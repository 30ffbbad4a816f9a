//! `terraform-provider-dr`: started by Terraform or OpenTofu, or by hand with `--debug`.

use std::process::ExitCode;

use terraform_provider_dr::plugin::{self, Environment, Options};
use terraform_provider_dr::{docs, log};

const USAGE: &str = "\
terraform-provider-dr: DR tiers, failover policies and drills as Terraform resources.

Terraform and OpenTofu start this program themselves. By hand:
  terraform-provider-dr --debug [--address HOST/NAMESPACE/dr]   serve for TF_REATTACH_PROVIDERS
  terraform-provider-dr docs DIR                                 write registry docs into DIR
  terraform-provider-dr --version";

fn main() -> ExitCode {
    let mut options = Options::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--debug" | "-debug" => options.debug = true,
            "--address" => options.provider_address = args.next(),
            "--version" | "-version" => {
                println!("terraform-provider-dr {}", env!("CARGO_PKG_VERSION"));
                return ExitCode::SUCCESS;
            }
            "--help" | "-h" | "help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            "docs" => {
                let Some(dir) = args.next() else {
                    eprintln!("error: `docs` needs the directory to write into, e.g. `terraform-provider-dr docs docs`");
                    return ExitCode::from(2);
                };
                return match docs::write(std::path::Path::new(&dir)) {
                    Ok(written) => {
                        for path in written {
                            println!("wrote {}", path.display());
                        }
                        ExitCode::SUCCESS
                    }
                    Err(error) => {
                        eprintln!("error: {error}");
                        ExitCode::FAILURE
                    }
                };
            }
            other => {
                eprintln!("error: unknown argument {other:?}\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }

    log::init_from_env();
    let environment = match Environment::read(&options) {
        Ok(environment) => environment,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(plugin::serve(options, environment)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            log::error("plugin failed", &[("error", &error.to_string())]);
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
