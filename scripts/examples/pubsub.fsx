// Pub/sub: subscribe (a connection of its own), publish, read the messages as an async stream.
//   dotnet fsi scripts/examples/pubsub.fsx [PORT]
#r "../../src/CoolCache.Client/bin/Release/net10.0/CoolCache.Client.dll"

open CoolCache.Client

let port =
    fsi.CommandLineArgs
    |> Array.tryItem 1
    |> Option.map int
    |> Option.defaultValue 6379

task {
    let! client = CoolClient.ConnectAsync(CoolClientOptions(Port = port))
    let! news = client.SubscribeAsync "news"

    let! _ =
        client.PSubscribeAsync("new*", (fun m -> printfn "pattern %s got %s" m.ChannelText m.PayloadText))

    for i in 1..3 do
        let! _ = client.PublishAsync("news", $"message {i}")
        ()

    let e = news.GetAsyncEnumerator()

    for _ in 1..3 do
        let! _ = e.MoveNextAsync()
        printfn "news: %s" e.Current.PayloadText

    do! news.DisposeAsync()
    do! client.DisposeAsync()
}
|> fun t -> t.GetAwaiter().GetResult()
