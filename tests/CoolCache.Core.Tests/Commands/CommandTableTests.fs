module CoolCache.Core.Tests.Commands.CommandTableTests

open System
open System.IO
open Expecto
open CoolCache.Core
open CoolCache.Core.Commands

let private everySpec () =
    CommandTable.all () |> List.collect (fun c -> c :: c.Subcommands)

let private has (f: CommandFlags) (c: CommandSpec) = c.Flags &&& f <> CommandFlags.None

/// The README's command list, rendered from the table.
let renderCommandList () =
    Api.Commands()
    |> Array.groupBy (fun c -> c.Group)
    |> Array.map (fun (group, cs) ->
        let names = cs |> Array.map (fun c -> c.Name) |> Array.sort
        sprintf "- **%s** (%d): %s" group names.Length (String.Join(", ", names)))
    |> String.concat "\n"

let private readmePath () =
    let rec up (dir: DirectoryInfo) =
        if isNull dir then
            None
        elif File.Exists(Path.Combine(dir.FullName, "CoolCache.sln")) then
            Some(Path.Combine(dir.FullName, "README.md"))
        else
            up dir.Parent

    up (DirectoryInfo AppContext.BaseDirectory)

let tests =
    testList
        "CommandTable"
        [
            testCase "command names are unique and upper-case"
            <| fun () ->
                let names = CommandTable.all () |> List.map (fun c -> c.Name)
                Expect.equal (List.distinct names) names "unique"

                for n in names do
                    Expect.equal (n.ToUpperInvariant()) n "upper-case"

            testCase "write and readonly are never both set, and write never with may_replicate"
            <| fun () ->
                for c in everySpec () do
                    Expect.isFalse (has CommandFlags.Write c && has CommandFlags.ReadOnly c) c.FullName
                    Expect.isFalse (has CommandFlags.Write c && has CommandFlags.MayReplicate c) c.FullName

            testCase "key positions lie within the arity"
            <| fun () ->
                for c in everySpec () do
                    match c.Keys with
                    | KeySpec.NoKeys -> ()
                    | KeySpec.Range(first, last, step) ->
                        Expect.isGreaterThan first 0 c.FullName
                        Expect.isGreaterThan step 0 c.FullName
                        Expect.isLessThanOrEqual first (abs c.Arity) c.FullName

                        if last > 0 then
                            Expect.isLessThanOrEqual last (max (abs c.Arity) last) c.FullName
                    | KeySpec.Numkeys index ->
                        Expect.isGreaterThan index 0 c.FullName
                        Expect.isLessThan index (abs c.Arity) c.FullName
                    | KeySpec.Keyword keyword -> Expect.equal (keyword.ToUpperInvariant()) keyword c.FullName

            testCase "subcommand full names are container|name in lower case"
            <| fun () ->
                for c in CommandTable.all () do
                    for sub in c.Subcommands do
                        Expect.equal sub.FullName (c.FullName + "|" + sub.Name.ToLowerInvariant()) sub.FullName

            testCase "every command is found by its name in any case"
            <| fun () ->
                for c in CommandTable.all () do
                    Expect.isTrue (CommandTable.tryFind(Bytes.ofString (c.Name.ToLowerInvariant())).IsSome) c.Name

            testCase "a name differing only in a non-letter byte is not a command"
            <| fun () -> Expect.isTrue (CommandTable.tryFind("NO\rEVICT"B).IsNone) "no-evict lookalike"

            testCase "the README lists exactly the commands of the table"
            <| fun () ->
                match readmePath () with
                | None -> failtest "README.md not found above the test binary"
                | Some path ->
                    let text = File.ReadAllText path
                    let startMark, endMark = "<!-- commands:start -->", "<!-- commands:end -->"
                    let a, b = text.IndexOf startMark, text.IndexOf endMark
                    Expect.isTrue (a >= 0 && b > a) "README has the command markers"
                    let rendered = "\n" + renderCommandList () + "\n"

                    if Environment.GetEnvironmentVariable "COOLCACHE_UPDATE_README" = "1" then
                        File.WriteAllText(path, text.Substring(0, a + startMark.Length) + rendered + text.Substring b)
                    else
                        Expect.equal
                            (text.Substring(a + startMark.Length, b - a - startMark.Length))
                            rendered
                            "README command list is stale: run the tests with COOLCACHE_UPDATE_README=1"
        ]
