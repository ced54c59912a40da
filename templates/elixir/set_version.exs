# Give a build a unique release version: "<mix.exs version>+<build>".
#
#   elixir set_version.exs MIX_EXS BUILD
#     MIX_EXS  path to the project's mix.exs (rewritten in place)
#     BUILD    deploy number (digits / letters / dots), e.g. 3  ->  "0.1.0+3"
#
# Handles `version: "x"` inside project/0 and `version: @version` with a
# module attribute `@version "x"`. Build metadata already in the version
# ("0.1.0+2") is replaced, so running it twice is harmless.
# Prints the new version as the only stdout line; exits 1 with a message on
# stderr when the version cannot be found or is not a literal string.
defmodule Gatling.SetVersion do
  def main([file, build]) do
    unless build =~ ~r/^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$/, do: fail("invalid build #{inspect(build)} (semver build metadata: [0-9A-Za-z-.])")
    source = File.read!(file)

    ast =
      case Code.string_to_quoted(source, file: file, columns: true, token_metadata: true,
             literal_encoder: &{:ok, {:__block__, &2, [&1]}}) do
        {:ok, ast} -> ast
        {:error, {meta, msg, tok}} -> fail("#{file}:#{inspect(meta)}: cannot parse: #{inspect(msg)}#{tok}")
      end

    {target, old} = locate(ast, file)

    base =
      case Version.parse(old) do
        {:ok, v} -> %{v | build: nil} |> to_string()
        :error -> fail("#{file}: version #{inspect(old)} is not a valid Elixir Version (x.y.z)")
      end

    new = "#{base}+#{build}"
    File.write!(file, replace_literal(source, target, old, new))

    # re-read to make sure the rewrite did what we think
    {_, written} = File.read!(file) |> Code.string_to_quoted!(columns: true, literal_encoder: &{:ok, {:__block__, &2, [&1]}}) |> locate(file)
    if written != new, do: fail("#{file}: rewrite failed, version now reads #{inspect(written)}")
    IO.puts(new)
  end

  def main(_), do: fail("usage: elixir set_version.exs MIX_EXS BUILD")

  # {{:project | :attribute, meta_of_the_string_literal}, "old version"}
  defp locate(ast, file) do
    project_kw = find_project_keyword(ast) || fail("#{file}: no `def project` returning a keyword list found")

    case Enum.find(project_kw, fn {{:__block__, _, [k]}, _} -> k == :version; _ -> false end) do
      {_, {:__block__, meta, [v]}} when is_binary(v) ->
        {{:project, meta}, v}

      {_, {:@, _, [{attr, _, _}]}} ->
        case module_attribute(ast, attr) do
          {meta, v} -> {{:attribute, meta}, v}
          nil -> fail("#{file}: `version: @#{attr}` but no `@#{attr} \"x.y.z\"` found")
        end

      {_, other} ->
        fail("#{file}: project version is not a string literal or module attribute: #{Macro.to_string(other)}")

      nil ->
        fail("#{file}: project/0 has no :version")
    end
  end

  defp find_project_keyword(ast) do
    {_, found} =
      Macro.prewalk(ast, nil, fn
        {:def, _, [{:project, _, args}, [{{:__block__, _, [:do]}, body}]]} = node, nil when args in [nil, []] ->
          {node, keyword(body)}

        node, acc ->
          {node, acc}
      end)

    found
  end

  defp keyword({:__block__, _, [list]}) when is_list(list), do: list
  defp keyword(list) when is_list(list), do: list
  defp keyword({:__block__, _, exprs}) when is_list(exprs), do: exprs |> List.last() |> keyword()
  defp keyword(_), do: nil

  defp module_attribute(ast, attr) do
    {_, found} =
      Macro.prewalk(ast, [], fn
        {:@, _, [{^attr, _, [{:__block__, meta, [v]}]}]} = node, acc when is_binary(v) -> {node, [{meta, v} | acc]}
        node, acc -> {node, acc}
      end)

    case found do
      [one] -> one
      [] -> nil
      _ -> fail("@#{attr} is set more than once in mix.exs")
    end
  end

  defp replace_literal(source, {_, meta}, old, new) do
    line = Keyword.fetch!(meta, :line)
    col = Keyword.fetch!(meta, :column)
    delim = Keyword.get(meta, :delimiter, "\"")
    lines = String.split(source, "\n")
    text = Enum.at(lines, line - 1)
    {pre, post} = String.split_at(text, col - 1)
    lit = delim <> old <> delim
    unless String.starts_with?(post, lit), do: fail("mix.exs line #{line}: expected #{lit} at column #{col}")
    new_text = pre <> delim <> new <> delim <> String.replace_prefix(post, lit, "")
    lines |> List.replace_at(line - 1, new_text) |> Enum.join("\n")
  end

  defp fail(msg) do
    IO.puts(:stderr, "set_version: " <> msg)
    System.halt(1)
  end
end

Gatling.SetVersion.main(System.argv())
