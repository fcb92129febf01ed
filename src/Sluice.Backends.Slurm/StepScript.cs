namespace Sluice.Backends.Slurm;

/// <summary>
/// The shell wrapper every step runs on its Slurm node. It runs the command with its output in the
/// requested files and then writes how it ended to a status file on the shared filesystem. A step
/// that ends without a status file was ended by Slurm (cancelled, node lost) rather than by its
/// command, which is how the backend tells an exit from a kill: srun's own exit code is 137 both for
/// <c>kill -9 $$</c> and for a cancelled step.
/// </summary>
internal static class StepScript
{
    /// <summary>Marks a directly exec'd command: the wrapper first checks that its program exists.</summary>
    public const string DirectMarker = "--sluice-direct";

    /// <summary>
    /// <c>sh -c SCRIPT sluice-step STATUS STDOUT STDERR [--sluice-direct] PROGRAM ARGS...</c>. A direct
    /// program that cannot be found is a launch failure (the status says so), not exit code 127.
    /// </summary>
    public const string Script =
        """
        st=$1 out=$2 err=$3; shift 3
        if [ "$1" = --sluice-direct ]; then
          shift
          if ! command -v "$1" >/dev/null 2>&1; then
            printf "launch Cannot run '%s': no such executable on PATH.\n" "$1" >"$st"; exit 127
          fi
        fi
        if [ "$out" = "$err" ]; then "$@" </dev/null >"$out" 2>&1; else "$@" </dev/null >"$out" 2>"$err"; fi
        rc=$?
        printf 'exit %s\n' "$rc" >"$st"
        exit $rc
        """;
}
