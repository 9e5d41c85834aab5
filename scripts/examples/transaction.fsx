// A transaction: MULTI, the commands and EXEC written as one unit; each command gets its own result.
//   dotnet fsi scripts/examples/transaction.fsx [PORT]
#r "../../src/CoolCache.Client/bin/Release/net10.0/CoolCache.Client.dll"

open CoolCache.Client

let port =
    fsi.CommandLineArgs
    |> Array.tryItem 1
    |> Option.map int
    |> Option.defaultValue 6379

task {
    let! client = CoolClient.ConnectAsync(CoolClientOptions(Port = port))
    let tx = client.CreateTransaction()
    let debit = tx.Add("DECRBY", "account:a", 10)
    let credit = tx.Add("INCRBY", "account:b", 10)
    let! _ = tx.ExecuteAsync()
    let! a = debit
    let! b = credit
    printfn "a = %d, b = %d" a.Integer b.Integer
    do! client.DisposeAsync()
}
|> fun t -> t.GetAwaiter().GetResult()
