# `show` prints the public keys a seed file derives, and with --genesis the
# validator they belong to; they match genesis.json field for field.
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)

keygen(generate --network-seed ${seed_a} --shards 2 --validators 2 --out "${WORK}/net")
expect("generate" 0)
file(READ "${WORK}/net/genesis.json" genesis)

foreach(id RANGE 3)
  math(EXPR shard "${id} / 2")
  math(EXPR index "${id} % 2")
  keygen(show "${WORK}/net/validator-${id}.seed" --genesis "${WORK}/net/genesis.json")
  expect("show validator-${id}.seed --genesis" 0 "validator: ${id}\nshard: ${shard}\n")
  foreach(field bls_public_key bls_pop network_key)
    string(JSON want GET "${genesis}" shards ${shard} validators ${index} ${field})
    if(NOT out MATCHES "${field}: ${want}\n")
      fail("show validator-${id}.seed: ${field} is not genesis's ${want}: ${out}")
    endif()
  endforeach()
endforeach()

# Without --genesis (bls by default): the same keys, no validator line.
keygen(show "${WORK}/net/validator-1.seed")
string(JSON want GET "${genesis}" shards 0 validators 1 bls_public_key)
expect("show without --genesis" 0 "bls_public_key: ${want}\n")
if(out MATCHES "validator:")
  fail("show without --genesis printed a validator id: ${out}")
endif()

# The mock scheme derives other BLS keys from the same seed.
keygen(generate --network-seed ${seed_a} --scheme mock --validators 1 --out "${WORK}/mock")
string(JSON want GET "${genesis}" shards 0 validators 0 bls_public_key)
file(READ "${WORK}/mock/genesis.json" mock)
string(JSON mock_key GET "${mock}" shards 0 validators 0 bls_public_key)
keygen(show "${WORK}/mock/validator-0.seed" --scheme mock)
expect("show --scheme mock" 0 "bls_public_key: ${mock_key}\n")
keygen(show "${WORK}/mock/validator-0.seed" --genesis "${WORK}/mock/genesis.json")
expect("show --genesis of a mock genesis" 0 "scheme: mock\nbls_public_key: ${mock_key}\n")

# A seed file of another network is not in this genesis.
keygen(generate --network-seed ${seed_b} --validators 1 --out "${WORK}/other")
keygen(show "${WORK}/other/validator-0.seed" --genesis "${WORK}/net/genesis.json")
expect("show with a genesis of another network" 1 "are not in")

# Not seed files.
file(WRITE "${WORK}/garbage.seed" "hello\n")
keygen(show "${WORK}/garbage.seed")
expect("show of a malformed seed file" 1 "not a seed file")
set(keygen_timeout 10)
keygen(show /dev/zero)
expect("show /dev/zero" 1 "character device")
keygen(show "${WORK}/missing.seed")
expect("show of a missing seed file" 1 "No such file")

# A seed file others can read still shows, with a warning.
file(READ "${WORK}/net/validator-0.seed" text)
file(WRITE "${WORK}/open.seed" "${text}")
file(CHMOD "${WORK}/open.seed" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
keygen(show "${WORK}/open.seed")
expect("show of a world-readable seed file" 0 "warning: .*open.seed is readable")

keygen_finish()
message(STATUS "show: keys match genesis.json")
