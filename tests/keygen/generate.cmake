# `generate` writes seed files owner-only, never overwrites without --force,
# never writes through a link planted in the output folder, and with --force
# replaces files (a link included) without touching any link's target.
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
set(seeds validator-0.seed validator-1.seed validator-2.seed validator-3.seed)

# A fresh folder, under umask 000: the modes come from the tool, not the umask.
execute_process(COMMAND sh -c "umask 000 && exec \"$@\"" sh "${KEYGEN}" generate
                        --network-seed ${seed_a} --out "${WORK}/net"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
expect("generate into a new folder" 0 "wrote .*genesis.json")
if(err MATCHES "writable by every user")
  fail("generate into a private folder warned: ${err}")
endif()
expect_mode("${WORK}/net" 700)
expect_mode("${WORK}/net/genesis.json" 644)
foreach(name IN LISTS seeds)
  expect_mode("${WORK}/net/${name}" 600)
  file(SHA256 "${WORK}/net/${name}" before_${name})
endforeach()
file(SHA256 "${WORK}/net/genesis.json" before_genesis)

# Again, other keys, no --force: refused, every file unchanged.
keygen(generate --network-seed ${seed_b} --out "${WORK}/net")
expect("generate over existing files" 1 "already exist.*--force")
foreach(name IN LISTS seeds)
  file(SHA256 "${WORK}/net/${name}" after)
  if(NOT after STREQUAL before_${name})
    fail("${name} changed although generate refused to overwrite it")
  endif()
endforeach()
file(SHA256 "${WORK}/net/genesis.json" after)
if(NOT after STREQUAL before_genesis)
  fail("genesis.json changed although generate refused to overwrite it")
endif()

# A link planted where a seed file goes: refused; its target keeps its
# content and nothing else is written.
file(MAKE_DIRECTORY "${WORK}/planted")
file(WRITE "${WORK}/victim" "victim\n")
file(CREATE_LINK "${WORK}/victim" "${WORK}/planted/validator-2.seed" SYMBOLIC)
keygen(generate --network-seed ${seed_a} --out "${WORK}/planted")
expect("generate with a planted link" 1 "validator-2.seed already exists")
file(READ "${WORK}/victim" victim)
if(NOT victim STREQUAL "victim\n")
  fail("the planted link's target was written: '${victim}'")
endif()
file(GLOB entries LIST_DIRECTORIES true "${WORK}/planted/*" "${WORK}/planted/.*")
list(LENGTH entries n)
if(NOT n EQUAL 1)
  fail("a refused generate left files behind: ${entries}")
endif()

# A dangling link where genesis.json goes: refused, its target not created.
file(MAKE_DIRECTORY "${WORK}/dangling")
file(CREATE_LINK "${WORK}/made-through-link" "${WORK}/dangling/genesis.json" SYMBOLIC)
keygen(generate --network-seed ${seed_a} --out "${WORK}/dangling")
expect("generate with a dangling link" 1 "genesis.json already exists")
if(EXISTS "${WORK}/made-through-link")
  fail("generate created the target of a dangling link")
endif()
file(GLOB seeds_left "${WORK}/dangling/*.seed")
if(seeds_left)
  fail("a refused generate left seed files behind: ${seeds_left}")
endif()

# --force replaces the link itself, never its target.
keygen(generate --network-seed ${seed_b} --out "${WORK}/planted" --force)
expect("generate --force over a planted link" 0)
if(IS_SYMLINK "${WORK}/planted/validator-2.seed")
  fail("--force left the planted link in place")
endif()
expect_mode("${WORK}/planted/validator-2.seed" 600)
file(READ "${WORK}/victim" victim)
if(NOT victim STREQUAL "victim\n")
  fail("--force wrote through the planted link: '${victim}'")
endif()
keygen(generate --network-seed ${seed_a} --out "${WORK}/dangling" --force)
expect("generate --force over a dangling link" 0)
if(EXISTS "${WORK}/made-through-link" OR IS_SYMLINK "${WORK}/dangling/genesis.json")
  fail("--force followed or kept the dangling link")
endif()

# --force with other keys replaces every file, keeps the modes, leaves no
# temporary file, and the result checks.
keygen(generate --network-seed ${seed_b} --out "${WORK}/net" --force)
expect("generate --force" 0)
foreach(name IN LISTS seeds)
  expect_mode("${WORK}/net/${name}" 600)
  file(SHA256 "${WORK}/net/${name}" after)
  if(after STREQUAL before_${name})
    fail("--force did not replace ${name}")
  endif()
endforeach()
expect_mode("${WORK}/net/genesis.json" 644)
file(GLOB temporaries "${WORK}/net/.keygen-*")
if(temporaries)
  fail("--force left temporary files: ${temporaries}")
endif()
keygen(check "${WORK}/net/genesis.json")
expect("check after --force" 0 "ok: ")

# A smaller network over a larger one: the seed files it does not list stay
# (never deleted) and a warning names them.
keygen(generate --network-seed ${seed_b} --validators 2 --out "${WORK}/planted" --force)
expect("generate --force of a smaller network" 0 "warning: 2 seed files .* not part of this genesis")
if(NOT EXISTS "${WORK}/planted/validator-3.seed")
  fail("--force deleted a seed file of an earlier run")
endif()
keygen(generate --network-seed ${seed_b} --out "${WORK}/planted" --force)
expect("generate --force back to 4 validators" 0)

# A folder every user can write: written, with a warning on stderr.
file(MAKE_DIRECTORY "${WORK}/shared")
execute_process(COMMAND chmod 0777 "${WORK}/shared")
keygen(generate --network-seed ${seed_a} --out "${WORK}/shared")
expect("generate into a world-writable folder" 0 "wrote .*genesis.json")
if(NOT err MATCHES "warning: [^\n]*shared is writable by every user [(]mode 0777[)]")
  fail("no warning for a world-writable folder: ${err}")
endif()

# One network seed, one genesis: `net` and `planted` now both come from seed_b.
file(SHA256 "${WORK}/net/genesis.json" a)
file(SHA256 "${WORK}/planted/genesis.json" b)
if(NOT a STREQUAL b)
  fail("the same --network-seed gave two different genesis files")
endif()

keygen_finish()
message(STATUS "generate: modes, refusals and --force as documented")
