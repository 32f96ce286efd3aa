# bash completion for eventdrill.
# Commands and options are read from eventdrill's own help, so that this
# file never falls behind the program: `eventdrill --help` lists the
# commands, `eventdrill COMMAND --help` its options.

_eventdrill_words() {
  # $1: "" for the commands, else a command for its options
  if [ -z "$1" ]; then
    "${_eventdrill_bin:-eventdrill}" --help 2>/dev/null |
      sed -n '/^commands:/,/^$/s/^  \([a-z]\{1,\}\) .*/\1/p'
  else
    "${_eventdrill_bin:-eventdrill}" "$1" --help 2>/dev/null |
      grep -o -- '--[a-z][a-z-]*' | sort -u
  fi
}

_eventdrill() {
  local cur prev cmd i
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD - 1]}
  _eventdrill_bin=${COMP_WORDS[0]}
  cmd=
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
    --color) ((i++)) ;;
    -*) ;;
    *) cmd=${COMP_WORDS[i]}; break ;;
    esac
  done
  case $prev in
  --color)
    COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
    return ;;
  --out | --results)
    COMPREPLY=($(compgen -d -- "$cur"))
    return ;;
  --junit | --rules | --plan)
    COMPREPLY=($(compgen -f -- "$cur"))
    return ;;
  esac
  if [ -z "$cmd" ]; then
    COMPREPLY=($(compgen -W "$(_eventdrill_words "") --help --version --color" -- "$cur"))
    return
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_eventdrill_words "$cmd")" -- "$cur"))
    return
  fi
  case $cmd in
  report | compare | recover | merge)
    COMPREPLY=($(compgen -d -- "$cur")) ;;
  run | rehearse | verify | validate | inspect | watch | summary)
    COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur")) ;;
  esac
}
complete -F _eventdrill eventdrill
