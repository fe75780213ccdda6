# `check` refuses every bad genesis with exit 1 and a reason naming the
# validator, ends quickly on devices and FIFOs, and says what it verified.
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)

keygen(generate --network-seed ${seed_a} --out "${WORK}/net")
expect("generate" 0)
set(genesis "${WORK}/net/genesis.json")
keygen(check "${genesis}")
expect("check of a generated genesis" 0
       "ok: .*4 validators with unique ids; 4 distinct BLS public keys, 4 valid non-identity G1 subgroup points, with 4 valid proofs of possession; 4 distinct identity keys, 4 valid Ed25519 points")
file(READ "${genesis}" base)

# bad_genesis(<name> <json text> <regex of the reason>)
macro(bad_genesis name text reason)
  file(WRITE "${WORK}/${name}.json" "${text}")
  keygen(check "${WORK}/${name}.json")
  expect("check ${name}" 1 "${reason}")
endmacro()

macro(get var field index)
  string(JSON ${var} GET "${base}" shards 0 validators ${index} ${field})
endmacro()
get(key0 bls_public_key 0)
get(pop0 bls_pop 0)
get(id0 network_key 0)

string(JSON j SET "${base}" shards 0 validators 1 bls_public_key "\"${key0}\"")
string(JSON j SET "${j}" shards 0 validators 1 bls_pop "\"${pop0}\"")
bad_genesis(duplicate_bls "${j}"
            "validator 1 [(]shard 0[)]: BLS public key is the same as validator 0")
string(JSON j SET "${base}" shards 0 validators 3 network_key "\"${id0}\"")
bad_genesis(duplicate_identity "${j}"
            "validator 3 [(]shard 0[)]: identity key is the same as validator 0")
string(REPEAT "00" 32 zeros)
string(JSON j SET "${base}" shards 0 validators 2 network_key "\"${zeros}\"")
bad_genesis(zero_identity "${j}" "validator 2 [(]shard 0[)]: identity key is all zeros")
string(REPEAT "ff" 32 ones)
string(JSON j SET "${base}" shards 0 validators 2 network_key "\"${ones}\"")
bad_genesis(ff_identity "${j}" "validator 2 [(]shard 0[)]: identity key is all 0xff")
string(JSON j SET "${base}" shards 0 validators 1 bls_pop "\"${pop0}\"")
bad_genesis(wrong_pop "${j}"
            "validator 1 [(]shard 0[)]: proof of possession does not verify")
string(JSON j SET "${base}" shards 0 validators 1 id 0)
bad_genesis(duplicate_id "${j}" "duplicate validator id 0")
string(JSON j SET "${base}" scheme 1)
bad_genesis(scheme_not_a_string "${j}" "scheme must be")
bad_genesis(not_json "{\"shards\": [" "not valid JSON")

# A NUL byte ends the input for nlohmann::json: the bytes after one must not
# pass unseen. (A CMake string cannot hold a NUL: printf appends it.)
file(WRITE "${WORK}/nul.json" "${base}")
execute_process(COMMAND sh -c "printf '\\000garbage {{{' >> \"$1\"" sh "${WORK}/nul.json")
string(LENGTH "${base}" base_size)
keygen(check "${WORK}/nul.json")
expect("check of a genesis followed by a NUL byte and garbage" 1
       "NUL byte at byte offset ${base_size}")

# The size limit, 16 MiB: a valid genesis padded to exactly the limit passes,
# one byte more is refused.
string(LENGTH "${base}" size)
math(EXPR pad "16777216 - ${size}")
string(REPEAT " " ${pad} spaces)
file(WRITE "${WORK}/at_limit.json" "${base}${spaces}")
keygen(check "${WORK}/at_limit.json")
expect("check of a file of exactly 16 MiB" 0 "ok: ")
file(APPEND "${WORK}/at_limit.json" " ")
keygen(check "${WORK}/at_limit.json")
expect("check of a file of 16 MiB + 1 byte" 1 "larger than the limit of 16777216 bytes")

# Not regular files: each must end within seconds (reading /dev/zero or
# waiting on a FIFO would not).
set(keygen_timeout 10)
keygen(check /dev/zero)
expect("check /dev/zero" 1 "/dev/zero is a character device")
keygen(check "${WORK}")
expect("check of a folder" 1 "is a directory")
keygen(check "${WORK}/missing.json")
expect("check of a missing file" 1 "missing.json: No such file")
execute_process(COMMAND mkfifo "${WORK}/fifo" RESULT_VARIABLE mkfifo_rc)
if(mkfifo_rc EQUAL 0)
  keygen(check "${WORK}/fifo")
  expect("check of a FIFO" 1 "is a FIFO")
endif()

keygen_finish()
message(STATUS "check: every bad genesis refused with exit 1")
