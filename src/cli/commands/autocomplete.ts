import type { CliContext } from '../context.js';

/** Completion scripts: every word is resolved by `kuke __complete`, names included. */
const scripts = {
  bash: `# bash completion for kuke (source it, or put it in /etc/bash_completion.d/kuke)
_kuke() {
  local cur words cword
  cur="\${COMP_WORDS[COMP_CWORD]}"
  words=("\${COMP_WORDS[@]:1:COMP_CWORD-1}")
  local out directive
  out=$(kuke __complete "\${words[@]}" "$cur" 2>/dev/null) || return
  directive=$(printf '%s\\n' "$out" | tail -n 1)
  COMPREPLY=()
  while IFS= read -r line; do
    [[ -n "$line" && "$line" != :* ]] && COMPREPLY+=("$line")
  done <<< "$out"
  [[ "$directive" == ":4" ]] && compopt +o default 2>/dev/null
  return 0
}
complete -o default -F _kuke kuke
`,
  zsh: `#compdef kuke
# zsh completion for kuke: put it on $fpath as _kuke, or source it after compinit
_kuke() {
  local -a candidates
  local line
  for line in "\${(@f)$(kuke __complete "\${(@)words[2,CURRENT-1]}" "\${words[CURRENT]}" 2>/dev/null)}"; do
    [[ -n "$line" && "$line" != :* ]] && candidates+=("$line")
  done
  compadd -a candidates
}
compdef _kuke kuke
`,
  fish: `# fish completion for kuke: save as ~/.config/fish/completions/kuke.fish
function __kuke_complete
  set -l words (commandline -opc)
  set -e words[1]
  kuke __complete $words (commandline -ct) 2>/dev/null | string match -v -r '^:'
end
complete -c kuke -f -a '(__kuke_complete)'
`,
};

/** `kuke autocomplete bash|zsh|fish`. */
export async function autocomplete(ctx: CliContext, shell: keyof typeof scripts): Promise<void> {
  ctx.out.write(scripts[shell]);
}
