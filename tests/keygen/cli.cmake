# Every malformed command line exits 2 with a message naming the flag (or
# the missing argument), and writes nothing; --help exits 0 and shows the
# defaults.
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)

# "<args separated by ^>|<regex the message must match>"
set(cases
  "|subcommand"
  "frob|subcommand"
  "generate^--shards^0|--shards"
  "generate^--shards^abc|--shards"
  "generate^--shards^-1|--shards"
  "generate^--shards^010|--shards"
  "generate^--shards^0x2|--shards"
  "generate^--shards^1025|--shards"
  "generate^--shards|--shards"
  "generate^--shards^1^--shards^2|--shards"
  "generate^--validators^0|--validators"
  "generate^--validators^1e3|--validators"
  "generate^--power^0|--power"
  "generate^--power^18446744073709551616|--power"
  "generate^--power^1099511627777|--power"
  "generate^--scheme^rsa|--scheme"
  "generate^--network-seed^xyz|--network-seed"
  "generate^--network-seed^abc|--network-seed"
  "generate^--network-seed^${seed_a}00|--network-seed"
  "generate^--shards^1024^--validators^1024|--shards 1024 x --validators 1024"
  "generate^--force=2|force"
  "generate^--bogus|--bogus"
  "check|genesis is required"
  "check^a^b|not expected: b"
  "show|seed is required"
  "show^x^--genesis^y^--scheme^mock|--scheme excludes --genesis"
  "show^x^--scheme^rsa|--scheme")
foreach(case IN LISTS cases)
  string(FIND "${case}" "|" bar)
  string(SUBSTRING "${case}" 0 ${bar} args)
  math(EXPR bar "${bar} + 1")
  string(SUBSTRING "${case}" ${bar} -1 pattern)
  string(REPLACE "^" ";" args "${args}")
  # generate writes into a folder of its own: it must stay missing.
  if(args MATCHES "^generate")
    list(INSERT args 1 --out "${WORK}/never")
  endif()
  keygen(${args})
  expect("'${args}'" 2 "${pattern}")
endforeach()
# Empty paths (a CMake list cannot carry an empty argument: these run directly).
foreach(case "generate;--out" "check" "show;x;--genesis" "show")
  execute_process(COMMAND "${KEYGEN}" ${case} "" RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err TIMEOUT 60)
  expect("'${case}' with an empty path" 2 "must not be empty")
endforeach()
# An empty --network-seed is refused, as --help says (omit it for a random seed).
execute_process(COMMAND "${KEYGEN}" generate --out "${WORK}/never" --network-seed ""
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
expect("--network-seed ''" 2 "--network-seed")
if(EXISTS "${WORK}/never")
  fail("a refused command line still wrote ${WORK}/never")
endif()

keygen(--help)
expect("--help" 0 "generate.*check.*show")
keygen(generate --help)
expect("generate --help" 0 "--shards[^\n]*=1\n.*--validators[^\n]*=4\n.*--power[^\n]*=1\n.*--scheme[^\n]*=bls\n.*--out[^\n]*=devnet")
if(NOT out MATCHES "--network-seed[^\n]*omit it for a random seed" OR out MATCHES "empty: random")
  fail("generate --help does not say to omit --network-seed for a random seed: ${out}")
endif()
keygen(show --help)
expect("show --help" 0 "--scheme[^\n]*=bls")

keygen(--version)
expect("--version" 0 "^hyperscale-keygen [0-9]+[.][0-9]+[.][0-9]+ [(]commit [^)]+[)]\n$")

keygen_finish()
list(LENGTH cases n)
message(STATUS "${n} malformed command lines refused with exit 2")
