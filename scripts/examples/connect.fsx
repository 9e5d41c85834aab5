// Connect with CoolClient, SET and GET (text and bytes).
//   dotnet fsi scripts/examples/connect.fsx [PORT]     (a server must be running; build Release first)
#r "../../src/CoolCache.Client/bin/Release/net10.0/CoolCache.Client.dll"

open CoolCache.Client

let port =
    fsi.CommandLineArgs
    |> Array.tryItem 1
    |> Option.map int
    |> Option.defaultValue 6379

task {
    let! client = CoolClient.ConnectAsync(CoolClientOptions(Port = port))
    let! _ = client.SetAsync("greeting", "hello")
    let! text = client.GetStringAsync "greeting"
    printfn "greeting = %s" text
    let! _ = client.SetAsync("bytes", [| 0uy; 1uy; 255uy |])
    let! bytes = client.GetAsync "bytes"
    printfn "bytes = %A" bytes
    do! client.DisposeAsync()
}
|> fun t -> t.GetAwaiter().GetResult()
