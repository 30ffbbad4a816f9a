#!/usr/bin/env bash
# Fills fuzz/corpus/TARGET with seeds: the repository's fixtures (copied at run time, never
# committed twice) and the small hand-written inputs under fuzz/seeds/TARGET.
#   bash fuzz/seed-corpus.sh [TARGET...]      (default: every target)
set -euo pipefail

fuzz="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$fuzz")"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(plan_load hcl_root value_codec durations settings_files)
fi

# Copies FILE into DIR under a name made of its path, so that files of the same name differ.
copy_into() {
  local dir="$1" file="$2"
  local name="${file#"$root"/}"
  cp "$file" "$dir/${name//\//__}"
}

for target in "${targets[@]}"; do
  corpus="$fuzz/corpus/$target"
  mkdir -p "$corpus"
  case "$target" in
    plan_load)
      for file in "$root"/linter/tests/fixtures/plans/*.json "$root"/linter/tests/fixtures/plan-checks/*.json; do
        copy_into "$corpus" "$file"
      done
      ;;
    hcl_root)
      while IFS= read -r -d '' file; do
        copy_into "$corpus" "$file"
      done < <(find "$root/linter/tests/fixtures/rules" "$root/examples" -name '*.tf' -print0)
      ;;
  esac
  if [ -d "$fuzz/seeds/$target" ]; then
    cp "$fuzz/seeds/$target"/* "$corpus"/ 2>/dev/null || true
  fi
  echo "$target: $(find "$corpus" -type f | wc -l) inputs in $corpus"
done
