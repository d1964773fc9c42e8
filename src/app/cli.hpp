// The dtwin command line: one binary, subcommands, shared conventions.
//
// Conventions every subcommand follows (README, docs/cli.md):
//   --help              on every subcommand
//   --data DIR          the data directory (config key data.dir)
//   --config FILE       a TOML config file; --set key=value overrides any key (repeatable)
//   --json              machine-readable output on stdout
//   exit status         0 success, 1 invalid input or a failed operation, 2 usage error
//
// Thread: main thread only.
#pragma once

namespace dtwin::app {

inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_invalid = 1;
inline constexpr int k_exit_usage = 2;

/// Parses the command line, runs the chosen subcommand, returns the process exit status.
/// Never throws.
int run_cli(int argc, char** argv);

} // namespace dtwin::app
