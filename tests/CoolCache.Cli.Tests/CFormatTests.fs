/// CFormat: C printf's %.2f, which rounds the exact binary value half to even (as redis-cli's figures).
module CoolCache.Cli.Tests.CFormatTests

open Expecto
open CoolCache.Cli.Output

let tests =
    testList
        "CFormat"
        [
            testCase "ties round to even, other values to the nearest of their exact binary value"
            <| fun () ->
                Expect.equal (CFormat.Fixed(0.625, 2)) "0.62" "0.625 is a tie"
                Expect.equal (CFormat.Fixed(0.375, 2)) "0.38" "0.375 is a tie"
                Expect.equal (CFormat.Fixed(0.615, 2)) "0.61" "0.615 is 0.61499..."
                Expect.equal (CFormat.Fixed(2.675, 2)) "2.67" "2.675 is 2.67499..."
                Expect.equal (CFormat.Fixed(100.0, 2)) "100.00" "whole"
                Expect.equal (CFormat.Fixed(-1.005, 2)) "-1.00" "negative"
                Expect.equal (CFormat.Fixed(1e-300, 2)) "0.00" "tiny"

            testCase "%05.2f pads with zeros to five characters"
            <| fun () ->
                Expect.equal (CFormat.ZeroPadded(0.0, 5, 2)) "00.00" "zero"
                Expect.equal (CFormat.ZeroPadded(100.0 / 3.0, 5, 2)) "33.33" "third"
                Expect.equal (CFormat.ZeroPadded(100.0, 5, 2)) "100.00" "wider than five"
        ]
