# Evaluate a release's runtime configuration (sys.config + config providers,
# i.e. config/runtime.exs) with the current environment; fail clearly when it
# raises (typically a missing env var). Two ways to run it:
#
#   restart path / before a first boot -- in a fresh VM, with the env the
#   service will get (e.g. `set -a; . /etc/gatling/APP.env`):
#     bin/APP eval 'Code.eval_file("/path/preflight.exs")'           (VSN = RELEASE_VSN)
#   hot path -- inside the live node (its own environment):
#     bin/APP rpc 'Process.put(:gatling_argv, ["0.1.0+2"]); Code.eval_file("/path/preflight.exs")'
#
# Last line: "GATLING_PREFLIGHT ok VSN" (exit 0) or "GATLING_PREFLIGHT error <message>" (raises -> exit 1).
# Note: `bin/APP eval` itself already runs runtime.exs at boot and exits 1 when it raises.
vsn =
  case Process.get(:gatling_argv) || System.argv() do
    [vsn | _] -> vsn
    [] -> System.fetch_env!("RELEASE_VSN")
  end

root = System.get_env("RELEASE_ROOT") || List.to_string(:code.root_dir())
sys_config = Path.join([root, "releases", vsn, "sys.config"])

fail = fn msg ->
  IO.puts("GATLING_PREFLIGHT error " <> msg)
  raise "gatling preflight: " <> msg
end

config =
  case :file.consult(String.to_charlist(sys_config)) do
    {:ok, [base]} ->
      case get_in(base, [:elixir, :config_provider_init]) do
        %{providers: providers} = init ->
          try do
            Enum.reduce(providers, Config.__merge__(base, init.extra_config), fn {mod, state}, acc -> mod.load(acc, state) end)
          rescue
            e -> fail.("runtime config of #{vsn} raises: " <> Exception.message(e))
          end

        _ ->
          base
      end

    other ->
      fail.("cannot read #{sys_config}: #{inspect(other)}")
  end

apps = config |> Keyword.drop([:kernel, :stdlib]) |> Keyword.keys()
IO.puts("runtime config of #{vsn} ok: #{Enum.join(apps, ", ")}")
IO.puts("GATLING_PREFLIGHT ok #{vsn}")
