module CoolCache.Core.Tests.Keyspace.ExpiryTests

open Expecto
open FsCheck
open FsCheck.FSharp
open CoolCache.Core
open CoolCache.Core.Keyspace
open CoolCache.Core.Values

type private Op =
    | SetTtl of key: byte * at: int64
    | Clear of key: byte
    | Remove of key: byte
    | Expire of now: int64 * limit: int

let private genOp =
    let key = Gen.choose (0, 7) |> Gen.map byte
    let at = Gen.choose (0, 50) |> Gen.map int64

    Gen.frequency
        [
            5, Gen.map2 (fun k a -> SetTtl(k, a)) key at
            2, Gen.map Clear key
            2, Gen.map Remove key
            2, Gen.map2 (fun n l -> Expire(n, l)) at (Gen.choose (1, 5))
        ]

let private k (b: byte) = [| b |]

/// Model: key -> deadline option, for keys that exist.
let private run (ops: Op list) =
    let mutable db = Db.empty
    let mutable model: Map<byte, int64 option> = Map.empty

    for op in ops do
        match op with
        | SetTtl(key, at) ->
            db <- Db.set 0L (k key) (Value.String "v"B) (Ttl.At at) db
            model <- model.Add(key, Some at)
        | Clear key ->
            db <- Db.set 0L (k key) (Value.String "v"B) Ttl.Clear db
            model <- model.Add(key, None)
        | Remove key ->
            db <- Db.remove (k key) db
            model <- model.Remove key
        | Expire(now, limit) ->
            let db', removed = Db.removeExpired now limit db

            let due =
                model
                |> Map.toList
                |> List.choose (fun (key, at) ->
                    match at with
                    | Some t when t <= now -> Some(t, key)
                    | _ -> None)
                |> List.sort
                |> List.truncate limit

            Expect.equal (removed |> List.map (fun b -> b[0])) (due |> List.map snd) "exactly the earliest due keys go"

            for _, key in due do
                model <- model.Remove key

            db <- db'

    db, model

let tests =
    testList
        "Expiry"
        [
            testProperty "active expiry removes exactly the due keys, earliest first, and the index matches the model"
            <| Prop.forAll (Arb.fromGen (Gen.listOf genOp)) (fun ops ->
                let db, model = run ops
                Expect.equal (Db.count db) model.Count "key count"
                Expect.equal db.Index.Count (model |> Map.filter (fun _ v -> v.IsSome) |> Map.count) "index size"

                for KeyValue(key, at) in model do
                    Expect.equal (Db.deadline (k key) db |> ValueOption.toOption) at "deadline")

            testCase "a key past its deadline reads as absent before active expiry removes it"
            <| fun () ->
                let db = Db.set 0L "a"B (Value.String "1"B) (Ttl.At 10L) Db.empty
                Expect.isTrue (Db.tryGet 9L "a"B db).IsSome "live at 9"
                Expect.isTrue (Db.tryGet 10L "a"B db).IsNone "gone at 10"
                Expect.equal (Db.count db) 1 "still stored until reclaimed"

            testCase "SET with KEEPTTL on an expired key does not revive its deadline"
            <| fun () ->
                let db = Db.set 0L "a"B (Value.String "1"B) (Ttl.At 10L) Db.empty
                let db = Db.set 20L "a"B (Value.String "2"B) Ttl.Keep db
                Expect.isTrue (Db.tryGet 30L "a"B db).IsSome "new value has no deadline"
        ]
