// A pipeline: start many requests without awaiting each; they share one connection and one write.
//   dotnet fsi scripts/examples/pipeline.fsx [PORT]
#r "../../src/CoolCache.Client/bin/Release/net10.0/CoolCache.Client.dll"

open System.Threading.Tasks
open CoolCache.Client

let port =
    fsi.CommandLineArgs
    |> Array.tryItem 1
    |> Option.map int
    |> Option.defaultValue 6379

task {
    let! client = CoolClient.ConnectAsync(CoolClientOptions(Port = port))
    let sets = [| for i in 1..1000 -> client.SetAsync($"key:{i}", i) |]
    let! _ = Task.WhenAll sets
    let gets = [| for i in 1..1000 -> client.GetStringAsync $"key:{i}" |]
    let! values = Task.WhenAll gets
    printfn "first %s, last %s" values[0] values[999]
    do! client.DisposeAsync()
}
|> fun t -> t.GetAwaiter().GetResult()
