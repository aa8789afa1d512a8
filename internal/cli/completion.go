package cli

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/heapsnap/heapsnap/pkg/heapsnapshot"
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

// completeChoices completes a flag's value from a fixed list.
func completeChoices(cmd *cobra.Command, flag string, values []string) {
	_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
}

// completeValues gives every command's flags and arguments the
// completions the commands did not register themselves: snapshot files
// for arguments, each section's formats, config files for --config,
// directories for --source-maps, and no file names for numbers and other
// values a file name cannot be.
func (a *app) completeValues(root *cobra.Command) {
	_ = root.RegisterFlagCompletionFunc("config", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return []cobra.Completion{"yaml", "yml", "json", "toml"}, cobra.ShellCompDirectiveFilterFileExt
	})
	_ = root.RegisterFlagCompletionFunc("source-maps", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return nil, cobra.ShellCompDirectiveFilterDirs
	})
	completeChoices(root, "max-inflate", []string{strconv.Itoa(heapsnapshot.DefaultMaxInflate), "off"})
	fileFlags := map[string]bool{"baseline": true, "junit": true, "html": true}
	for _, cmd := range root.Commands() {
		section, ok := a.config.sections[cmd]
		if !ok {
			continue
		}
		if cmd.ValidArgsFunction == nil {
			cmd.ValidArgsFunction = snapshotFiles
		}
		if fs, ok := formats[section]; ok {
			names := make([]string, len(fs))
			for i, f := range fs {
				names[i] = string(f)
			}
			if _, has := cmd.GetFlagCompletionFunc("format"); !has {
				completeChoices(cmd, "format", names)
			}
		}
		cmd.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) {
			if _, has := cmd.GetFlagCompletionFunc(f.Name); has || fileFlags[f.Name] || f.Value.Type() == "bool" {
				return
			}
			_ = cmd.RegisterFlagCompletionFunc(f.Name, cobra.NoFileCompletions)
		})
	}
}
