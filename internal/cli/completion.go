package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// newCompletionCmd replaces cobra's default completion command (disabled
// in newRootCmd) with one documented command taking the shell as its
// argument.
func (a *app) newCompletionCmd() *cobra.Command {
	shells := []string{"bash", "zsh", "fish", "powershell"}
	cmd := &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print a shell completion script",
		Long: `Completion prints a script that makes the shell complete heapsnap's commands,
flags and flag values. Load it in the current shell or install it once:

  bash        source <(heapsnap completion bash)
              heapsnap completion bash > /etc/bash_completion.d/heapsnap
              (needs the bash-completion package)
  zsh         heapsnap completion zsh > "${fpath[1]}/_heapsnap"
              (with "autoload -U compinit; compinit" in ~/.zshrc)
  fish        heapsnap completion fish > ~/.config/fish/completions/heapsnap.fish
  powershell  heapsnap completion powershell | Out-String | Invoke-Expression
              (add that line to your $PROFILE to keep it)
` + exitStatusHelp,
		Example: `  source <(heapsnap completion bash)
  heapsnap completion zsh > "${fpath[1]}/_heapsnap"`,
		ValidArgs: shells,
		Args:      exactArgs(1, "one shell: bash, zsh, fish or powershell"),
	}
	noDesc := cmd.Flags().Bool("no-descriptions", false, "leave out the descriptions of completions")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		root, out := cmd.Root(), a.streams.Out
		switch args[0] {
		case "bash":
			return root.GenBashCompletionV2(out, !*noDesc)
		case "zsh":
			if *noDesc {
				return root.GenZshCompletionNoDesc(out)
			}
			return root.GenZshCompletion(out)
		case "fish":
			return root.GenFishCompletion(out, !*noDesc)
		case "powershell":
			if *noDesc {
				return root.GenPowerShellCompletion(out)
			}
			return root.GenPowerShellCompletionWithDesc(out)
		}
		return &usageError{err: fmt.Errorf("completion: unknown shell %q: use bash, zsh, fish or powershell", args[0]), cmd: cmd}
	}
	return cmd
}
