# Run in the app's node by "gatling env" (bin/APP rpc, as the app), with `keys` bound to the names that
# changed in the app's environment file: they get their new values in the node's OS environment (or go),
# the release's runtime config (config/runtime.exs, its config providers) is evaluated again in that
# environment and applied, and the applications whose env changed get config_change/3, as after a hot
# upgrade. No restart: the node keeps its OS process and its state. Prints
# "GATLING_RELOAD ok APPS" or "GATLING_RELOAD failed REASON" (the CLI then restarts instead).
defmodule Gatling.ReloadEnv do
  @moduledoc false

  def run(keys, env_file) do
    values = parse(File.read!(env_file))

    for key <- keys do
      case Map.fetch(values, key) do
        {:ok, value} -> System.put_env(key, value)
        :error -> System.delete_env(key)
      end
    end

    vsn = running_vsn()
    sys_config = Path.join([to_string(:code.root_dir()), "releases", vsn, "sys.config"])
    {:ok, [base]} = :file.consult(String.to_charlist(sys_config))

    case get_in(base, [:elixir, :config_provider_init]) do
      %{providers: providers} = init ->
        config =
          providers
          |> Enum.reduce(Config.__merge__(base, init.extra_config), fn {mod, state}, acc -> mod.load(acc, state) end)
          |> Keyword.drop([:kernel, :stdlib])

        changed = for {app, env} <- config, Enum.any?(env, fn {k, v} -> Application.fetch_env(app, k) != {:ok, v} end), do: app
        before = :application_controller.prep_config_change()
        :ok = Application.put_all_env(config, persistent: true)
        :ok = :application_controller.config_change(before)
        IO.puts("GATLING_RELOAD ok #{vsn}: runtime config re-evaluated, config_change/3 for #{if changed == [], do: "no application (no value changed)", else: Enum.join(changed, ", ")}")

      _ ->
        IO.puts("GATLING_RELOAD failed #{vsn} has no runtime config")
    end
  rescue
    e -> IO.puts("GATLING_RELOAD failed " <> (Exception.message(e) |> String.replace("\n", " ")))
  end

  # the release this node runs now (after a hot upgrade too): release_handler's current, else permanent one
  defp running_vsn do
    releases = :release_handler.which_releases()
    {_, vsn, _, _} = Enum.find(releases, &(elem(&1, 3) == :current)) || Enum.find(releases, &(elem(&1, 3) == :permanent))
    to_string(vsn)
  end

  # the file as gatling writes it (templates/server/app.env.ejs): comments, then KEY="value" with \ escapes
  defp parse(text), do: text |> skip_comments() |> entries(%{})

  defp skip_comments("#" <> _ = text), do: text |> String.split("\n", parts: 2) |> Enum.at(1, "") |> skip_comments()
  defp skip_comments("\n" <> rest), do: skip_comments(rest)
  defp skip_comments(text), do: text

  defp entries("", acc), do: acc

  defp entries(text, acc) do
    [whole, key, value] = Regex.run(~r/\A([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"\n/s, text)
    entries(binary_part(text, byte_size(whole), byte_size(text) - byte_size(whole)), Map.put(acc, key, Regex.replace(~r/\\(.)/s, value, "\\1")))
  end
end

Gatling.ReloadEnv.run(keys, env_file)
