"""The rules of the chain: every message, who may send it, what it changes.

Each chain domain declares itself in one descriptor (``abci_app/modules/<domain>/module.py``);
``MODULES`` lists them and ``CHAIN`` is their assembly. The tables below are
``render_rules(CHAIN)`` (``python -m abci_app.modules.render``); a test keeps them equal:

Messages (a tx carries one; the pipeline checks the role, the module's handler the rest):

    message               roles                       effect                                                  module
    record_access         government                  record why this official reads the subject's private    access
                                                      data; opens the access window
    register_device       government, verifier        admit a sensor device bound to a company site           accounts
    transfer              company                     move allowances signer → another company                transfers
    propose               government                  open a proposal for a governed action; counts as the    governance
                                                      proposer's approval (executes at once if m=1)
    approve               government                  add an approval; at m approvals the action runs         governance
    reject                government                  add a rejection with a reason; closes the proposal      governance
                                                      once m approvals can no longer be reached
    plan_open             government                  start uploading an allocation plan (hash, header,       plans
                                                      number of lines)
    plan_chunk            government (opener)         next lines of the plan; the last seals it by hash       plans
    daily_total           edge_device                 a device's daily emissions + Merkle root, once per KST  mrv
                                                      day, after the day ended
    fund_cash             bank                        credit KRW to a company's cash account                  trading
    withdraw_cash         bank                        pay out a company's available KRW                       trading
    place_order           company                     escrow, then match (continuous) or rest (call)          trading
    cancel_order          company (owner)             take an open order off the book, release escrow         trading
    set_view_key          any account                 publish the X25519 key sealed prices go to              blocktrades
    block_trade_propose   company                     OTC trade: quantity in clear, price sealed to the       blocktrades
                                                      parties + regulator, hash commitment; seller holds
    block_trade_accept    company (counterparty)      allowances move; the public sees daily aggregates only  blocktrades
    block_trade_cancel    company (a party)           proposer cancels or counterparty declines               blocktrades
    channel_key           any account (member)        next key epoch: public key, private key wrapped to      channels
                                                      each current member's view key
    channel_post          any account (member)        payload sealed to the epoch's channel key; the chain    channels
                                                      keeps its SHA-256 commitment
    emissions_report      company                     the year's report: the sites' daily totals + declared   compliance
                                                      other sources; resending corrects it until certified
    verification_statement
                          verifier (assigned)         verified tonnes, opinion, findings on the current       compliance
                                                      report; the document sealed to the company and the
                                                      regulator
    surrender             company                     cancel KAU of the year's vintage or KCU (≤ the offset   compliance
                                                      cap) against the certified emissions
    borrow                company                     relabel KAU of the next vintage (same phase) as the     compliance
                                                      year's, within the borrowing limit
    bank                  company                     relabel surplus KAU of the year as the next vintage,    compliance
                                                      once the obligation is met, within the banking limit
    objection             company                     object to an allocation or a certification within the   compliance
                                                      window
    custody_representative
                          company (holder)            admit a representative's key with rights, change them   custody
                                                      (new rights after the delay) or remove it at once
    custody_settings      company (holder)            four eyes on transfers out; own per-transaction,        custody
                                                      daily, weekly, monthly limits (stricter at once,
                                                      looser after the delay)
    custody_trusted       company, representative     trusted list: add, confirm by a second person           custody
                          (holder or its              (effective after the delay), cancel, remove at once
                          representative)
    custody_transfer      company, representative     a transfer out within the caps; with four eyes it       custody
                          (holder or initiator)       waits, tonnes held, for an approver
    custody_approve       representative (approver)   confirm a waiting transfer another person initiated:    custody
                                                      it executes
    custody_cancel        company, representative     withdraw a waiting transfer; its held tonnes return     custody
                          (holder, initiator or
                          approver)
    auction_bid           company                     a sealed bid (price, tonnes) in an open auction; price  auctions
                                                      × tonnes KRW escrowed; within the per-bidder cap, at
                                                      or above the reserve price
    auction_cancel_bid    company (bidder)            withdraw a bid before the close; its escrow is          auctions
                                                      released

Governed actions (carried by propose; executed at the m-th approval, inside that tx):

    action                effect when executed                                                                module
    register_account      admit a participant (address, key, role, name; companies may carry company_id,      accounts
                          sector)
    register_accounts     admit up to 1,000 participants at once                                              accounts
    issue_allowances      credit allowances of an instrument to a company; raises the instrument's supply     transfers
    issue_plan            credit every line of a sealed allocation plan to its company: the e-orders, in one  plans
                          batch
    set_validator_power   add, re-weight (power) or remove (power 0) a validator; CometBFT applies it two     validators
                          blocks later; one block moves less than a third of the votes
    rotate_execution_key  seal private txs to a new execution key (the next epoch); the previous epoch is     privacy
                          still read
    channel_open          open a channel: name, purpose, 2 to 64 members with view keys; no key until a       channels
                          member rekeys
    channel_members       set a channel's members; posts wait for a key wrapped to exactly them (a member     channels
                          who left reads nothing new)
    assign_verifiers      assign a verification body to each listed company for a year (up to 1,000)          compliance
    certify_emissions     certify companies' emissions of a year (the figure to surrender); a re-             compliance
                          certification keeps the history; after the deadline the company is settled at once
    set_compliance_deadline
                          set a year's report and surrender deadlines (block time) by notice, until its       compliance
                          settlement starts
    issue_offsets         issue KOC of a reduction project to a company; raises its supply                    compliance
    convert_offsets       convert a company's KOC into KCU of the same vintage, one for one                   compliance
    decide_objection      decide an objection: re-certify, or true up / claw back allocation; an e-order      compliance
                          with its audit trail
    set_participant_class
                          register a market maker (with its instrument) or a third-party trader, or clear     makers
                          the class
    schedule_auctions     publish up to 24 auctions in the calendar (instrument, window, volume); each takes  auctions
                          the instrument's waiting unsold tonnes
    amend_auction         change an auction's window or volume by notice, until it opens                      auctions
    set_reference_series  commit the monthly reference series (KRX, the years before the chain) with its      stabilisati
                          SHA-256; re-evaluates today's triggers                                              on
    stabilisation_measure
                          apply a measure: a reserve auction (≤ 25% of the reserve) joins the calendar, or a  stabilisati
                          price floor/ceiling or limit parameter is set until its expiry                      on

Block hooks (the chain's own work in every block, in ProcessProposal and FinalizeBlock alike):

    when                  effect                                                                              module
    before the txs        run the session transitions since the previous block: opening/closing call          trading
                          auctions, expiry of day orders, next reference price
    before the txs        open the auctions whose opening time has come: fix the reserve price from the       auctions
                          chain's daily bars
    before the txs        at the first block of a KST day: lift a floor the market stayed 10% above for 5     stabilisati
                          days, evaluate the triggers, publish inputs and results, open a proposal of a       on
                          measure for a tripped trigger
    after the txs         credit the next lines of queued e-order batches (at most 5,000 a block)             plans
    after the txs         at a year's surrender deadline fix its average price and penalty per tonne, then    compliance
                          settle its certified companies (at most 1,000 a block): status A or B, penalty,
                          block
    after the txs         measure each market maker's two-sided quote (spread, tonnes) over block time        makers
    after the txs         waiting transfers past their time expire and release their held tonnes              custody
    after the txs         at an auction's close: clear the sealed bids at one uniform price, settle DvP       auctions
                          (allowances to winners, KRW to the treasury, excess escrow refunded), roll unsold
                          tonnes over, publish the result
    after the txs         restore the parameters of measures whose expiry has come                            stabilisati
                                                                                                              on

Transfer-out checks (before a transfer, a sell order or a block-trade sale moves allowances; never a surrender):

    check                                                                                                     module
    an account with a shortfall past a surrender deadline sends no allowances out until made good             compliance
    KAU of a year stops trading once its surrender deadline passed (settlement begun): what was not banked can only be surrendered
                                                                                                              compliance

Queries (abci_query; a private path needs a signed query and its answer is sealed to the reader):

    path                                  who may read                    answer                                module
    /params                               anyone                          chain parameters                      core
    /nonce/<addr>                         the account itself or           {"nonce": next nonce} (private: a     core
                                          government                      nonce shows activity)
    /tx/<hash hex>                        anyone                          height, index, code, log, type,       core
                                                                          signer, data; of a private tx only
                                                                          for its signer or government (signed
                                                                          query)
    /looked/<addr>                        the account itself or           who read the account's private data:  access
                                          government                      reader, reason, height, time, until
    /account/<addr>                       anyone                          role, name, public key, since (the    accounts
                                                                          participant registry)
    /accounts?role=R                      anyone                          [{address, role, name, ...}]          accounts
    /devices?company=A                    anyone                          the company's registered devices      accounts
    /supply                               anyone                          {instrument: tonnes issued} (a        transfers
                                                                          market aggregate)
    /balances/<addr>                      the account itself or           {instrument: tonnes}                  transfers
                                          government
    /holdings/<addr>                      the account itself or           {instrument: {"available", "held"}}   transfers
                                          government                      tonnes
    /transfers/<addr>                     the account itself or           transfers and custody transfers in    transfers
                                          government                      and out, surrenders, issues,
                                                                          borrowing, banking (height, time,
                                                                          counterparty); newest first,
                                                                          ?before=SEQ or ?from=SEQ, &limit= at
                                                                          most 200
    /proposal/<id>                        anyone                          proposal record with votes            governance
                                                                          (governance is public)
    /proposals                            anyone                          the latest 200 proposals              governance
    /plans                                anyone                          plan records, latest 200              plans
                                                                          (allocations are published)
    /plan/<hash>                          anyone                          plan record                           plans
    /plan_lines/<hash>?offset=N&limit=M   anyone                          [[company_id, vintage, amount], ...]  plans
    /eorder/<hash>                        anyone                          audit record of the batch issue       plans
    /allocations/<addr>                   anyone                          {plan hash: {vintage: tonnes}}        plans
    /emissions/daily?device=D|company=C[&site=S][&from=YYYY-MM-DD&to=YYYY-MM-DD]
                                          anyone                          daily records                         mrv
    /emissions/monthly?company=C|sector=S[&from=YYYY-MM&to=YYYY-MM]
                                          anyone                          monthly sums (kg)                     mrv
    /emissions/yearly?company=C|sector=S  anyone                          yearly sums (kg)                      mrv
    /emissions/sectors?from=YYYY-MM&to=YYYY-MM
                                          anyone                          every sector's monthly sums (public   mrv
                                                                          statistics)
    /emissions/companies?from=YYYY-MM&to=YYYY-MM
                                          anyone                          every company's monthly sums          mrv
    /cash/<addr>                          the account itself or bank,     {"available", "held"} KRW             trading
                                          government
    /orders/<addr>                        the account itself or           the company's orders                  trading
                                          government
    /fills/<addr>                         the account itself or           its fills, with prices and            trading
                                          government                      counterparties
    /market/instruments                   anyone                          instruments, reference price, phase,  trading
                                                                          best bid/ask
    /market/depth/<instrument>            anyone                          {"bids": [[price, tonnes]], "asks":   trading
                                                                          [...]} (aggregated, no owners)
    /market/trades/<instrument>           anyone                          latest trades: price, tonnes,         trading
                                                                          height, time (no counterparties)
    /market/bars/<instrument>             anyone                          daily bars: open, high, low, close,   trading
                                                                          volume, VWAP
    /block_trades[/<addr>]                the account itself or           block trades with sealed prices       blocktrades
                                          government; all accounts:
                                          government
    /market/block_volume/<instrument>     anyone                          settled block trades per day: count,  blocktrades
                                                                          tonnes (aggregates only)
    /validators                           anyone                          {validators: [{pub_key, address,      validators
                                                                          power, name, since}], count,
                                                                          total_power}
    /privacy                              anyone                          {"epoch", "execution_key",            privacy
                                                                          "previous", "regulator_key"}: the
                                                                          keys a private tx is sealed to
    /channel/<name>[/posts?from=&limit=|/key/<epoch>]
                                          anyone                          members, epoch, public key, wraps,    channels
                                                                          post count; post commitments; an
                                                                          epoch's key record
    /compliance/table/<year>              anyone                          every company: sector, allocated,     compliance
                                                                          certified, surrendered, penalty,
                                                                          status code (EUTL-style)
    /compliance/year/<year>               anyone                          deadlines, settlement, average        compliance
                                                                          price, penalty/t
    /compliance/position/<addr>           the account itself or           per year: certified, surrendered,     compliance
                                          government                      shortfall, limits, penalty that
                                                                          would apply, blocked
    /compliance/report/<addr>/<year>      anyone                          the report with its history           compliance
    /compliance/statement/<addr>/<year>   anyone                          the verification statement (document  compliance
                                                                          sealed, hash public)
    /compliance/certification/<addr>/<year>
                                          anyone                          the certified figure with its         compliance
                                                                          history
    /compliance/assignments/<verifier>[/<year>]
                                          anyone                          the verifier's companies and where    compliance
                                                                          each report stands
    /compliance/queue/<year>              anyone                          statements awaiting certification     compliance
    /compliance/scorecards                anyone                          each verification body: statements,   compliance
                                                                          certifications, how far
                                                                          certification moved its figures
    /compliance/objections                anyone                          the latest 200 objections             compliance
    /compliance/objection/<id>            anyone                          an objection and its e-order          compliance
    /compliance/offsets                   anyone                          the latest 200 offset issuances and   compliance
                                                                          conversions
    /makers                               anyone                          accounts with a participant class:    makers
                                                                          class, instrument, since
    /makers/report/<addr>                 the account itself or           the maker's months: days met /        makers
                                          government                      trading days, each day's quoting
                                                                          seconds
    /custody/<addr>                       the account itself or           four eyes, limits, usage,             custody
                                          government                      representatives, trusted list,
                                                                          waiting and latest transfers
    /representative/<addr>                the account itself or           the account a representative acts     custody
                                          government                      for and its rights
    /auctions                             anyone                          the calendar (latest 200) with        auctions
                                                                          reserve prices and results, treasury
                                                                          takings, unsold tonnes waiting, the
                                                                          stabilisation reserve
    /auction/<id>                         anyone                          one auction: window, volume, reserve  auctions
                                                                          price and its inputs, result (no
                                                                          bidders' names)
    /auction/bids/<addr>                  the account itself or           the company's bids per auction:       auctions
                                          government                      escrow, allocation, paid, refunded
    /stabilisation                        anyone                          the latest day's triggers with their  stabilisati
                                                                          inputs, the measures in force, the    on
                                                                          series' SHA-256
    /stabilisation/day/<YYYY-MM-DD>       anyone                          one day's evaluation: monthly         stabilisati
                                                                          statistics used (chain or             on
                                                                          reference), thresholds, each trigger
    /stabilisation/series                 anyone                          the reference series with its         stabilisati
                                                                          SHA-256                               on
    /stabilisation/measures               anyone                          the latest 200 measures               stabilisati
                                                                                                                on

State keys read raw with a proof (/state/<key>, at the latest or a kept past height; others cannot be):

    key prefix                            who may read                                                          module
    nonce/                                the account in segment 1 of the key or government                     core
    params                                anyone                                                                core
    looked/                               the account in segment 1 of the key or government                     access
    acct/                                 anyone                                                                accounts
    count/role/                           anyone                                                                accounts
    companyid/                            anyone                                                                accounts
    name/                                 anyone                                                                accounts
    device/                               anyone                                                                accounts
    bal/                                  the account in segment 1 of the key or government                     transfers
    held/                                 the account in segment 1 of the key or government                     transfers
    supply/                               anyone                                                                transfers
    xlog/                                 the account in segment 1 of the key or government                     transfers
    prop/                                 anyone                                                                governance
    seq/proposal                          anyone                                                                governance
    plan/                                 anyone                                                                plans
    planchunk/                            anyone                                                                plans
    issuequeue                            anyone                                                                plans
    alloc/                                anyone                                                                plans
    eorder/                               anyone                                                                plans
    em/                                   anyone                                                                mrv
    emc/                                  anyone                                                                mrv
    agg/c/                                anyone                                                                mrv
    agg/s/                                anyone                                                                mrv
    cash/                                 the account in segment 1 of the key or bank, government               trading
    cashheld/                             the account in segment 1 of the key or bank, government               trading
    bar/                                  anyone                                                                trading
    ref/                                  anyone                                                                trading
    books                                 anyone                                                                trading
    market/clock                          anyone                                                                trading
    netsold/                              the account in segment 1 of the key or government                     trading
    viewkey/                              anyone                                                                blocktrades
    blockagg/                             anyone                                                                blocktrades
    valset/                               anyone                                                                validators
    valsum                                anyone                                                                validators
    valblock                              anyone                                                                validators
    sealing                               anyone                                                                privacy
    ptx/                                  anyone                                                                privacy
    channel/                              anyone                                                                channels
    cmp/year/                             anyone                                                                compliance
    cmp/open                              anyone                                                                compliance
    cmp/report/                           anyone                                                                compliance
    cmp/assign/                           anyone                                                                compliance
    cmp/byverifier/                       anyone                                                                compliance
    cmp/stmt/                             anyone                                                                compliance
    cmp/cert/                             anyone                                                                compliance
    cmp/certified/                        anyone                                                                compliance
    cmp/result/                           anyone                                                                compliance
    cmp/blocked/                          anyone                                                                compliance
    cmp/score/                            anyone                                                                compliance
    cmp/retired/                          anyone                                                                compliance
    cmp/offset/                           anyone                                                                compliance
    cmp/seq/offset                        anyone                                                                compliance
    cmp/obj/                              anyone                                                                compliance
    cmp/seq/objection                     anyone                                                                compliance
    cmp/eorder/                           anyone                                                                compliance
    cmp/adjust/                           anyone                                                                compliance
    cmp/pos/                              the account in segment 2 of the key or government                     compliance
    mk/class/                             anyone                                                                makers
    mk/makers                             anyone                                                                makers
    mk/day/                               the account in segment 2 of the key or government                     makers
    mk/quoting/                           the account in segment 2 of the key or government                     makers
    cust/acct/                            the account in segment 2 of the key or government                     custody
    cust/reps/                            the account in segment 2 of the key or government                     custody
    cust/trust/                           the account in segment 2 of the key or government                     custody
    cust/usage/                           the account in segment 2 of the key or government                     custody
    cust/xfer/                            the account in segment 2 of the key or government                     custody
    auc/auction/                          anyone                                                                auctions
    auc/seq                               anyone                                                                auctions
    auc/pending                           anyone                                                                auctions
    auc/carry/                            anyone                                                                auctions
    auc/treasury                          anyone                                                                auctions
    auc/reserveused                       anyone                                                                auctions
    auc/mine/                             the account in segment 2 of the key or government                     auctions
    stab/month/                           anyone                                                                stabilisati
                                                                                                                on
    stab/day/                             anyone                                                                stabilisati
                                                                                                                on
    stab/last                             anyone                                                                stabilisati
                                                                                                                on
    stab/series                           anyone                                                                stabilisati
                                                                                                                on
    stab/measure/                         anyone                                                                stabilisati
                                                                                                                on
    stab/seq                              anyone                                                                stabilisati
                                                                                                                on
    stab/active                           anyone                                                                stabilisati
                                                                                                                on
    stab/proposed/                        anyone                                                                stabilisati
                                                                                                                on

Events (public attributes only; * = indexed; a tx's events are in its result, the hooks' in the block's):

    event               attributes                                emitted by                                    module
    message             type*, module*                            every accepted tx; the only event of the      core
                                                                  private record_access, transfer, fund_cash,
                                                                  withdraw_cash, place_order, cancel_order,
                                                                  block_trade_propose, block_trade_accept,
                                                                  block_trade_cancel, surrender, borrow, bank,
                                                                  custody_representative, custody_settings,
                                                                  custody_trusted, custody_transfer,
                                                                  custody_approve, custody_cancel,
                                                                  auction_bid, auction_cancel_bid
    device_registered   device*, company*, site*, registered_by   register_device                               accounts
    account_registered  address*, role*, name                     action register_account, action               accounts
                                                                  register_accounts
    allowances_issued   proposal_id*, company*, instrument*,      action issue_allowances                       transfers
                        amount
    vote                proposal_id*, official*, vote*            propose, approve, reject                      governance
    proposal            id*, action*, status*                     propose, approve, reject, action              governance
                                                                  set_reference_series, before the txs
    plan                hash*, status*, received, lines           plan_open, plan_chunk, action issue_plan      plans
    eorder              plan_hash*, proposal_id*, status*,        action issue_plan, after the txs              plans
                        issued_lines, lines
    daily_total         device*, company*, site, day*, total,     daily_total                                   mrv
                        unit, merkle_root
    market_session      event*, trading_day*                      before the txs                                trading
    auction             instrument*, trading_day*, session*,      before the txs                                trading
                        price, volume
    reference_price     instrument*, trading_day*, price          before the txs                                trading
    view_key            account*, public_key                      set_view_key                                  blocktrades
    validator_power     pub_key*, address*, proposal_id*, power,  action set_validator_power                    validators
                        previous_power, name
    execution_key       epoch*, public_key                        action rotate_execution_key                   privacy
    channel             name*, change*, epoch, members            channel_key, action channel_open, action      channels
                                                                  channel_members
    channel_post        channel*, seq*, epoch, kind, sha256       channel_post                                  channels
    emissions_report    company*, year*, version, total           emissions_report                              compliance
    verification_statement
                        company*, year*, verifier*, verified,     verification_statement                        compliance
                        opinion, document_hash
    objection           id*, company*, kind*, year, status*       objection, action decide_objection            compliance
    verifiers_assigned  year*, proposal_id*, companies            action assign_verifiers                       compliance
    emissions_certified
                        company*, year*, proposal_id*, quantity,  action certify_emissions, action              compliance
                        version                                   decide_objection
    penalty_assessed    company*, year*, shortfall, penalty       action certify_emissions, action              compliance
                                                                  decide_objection, after the txs
    compliance_deadline
                        year*, report_due, surrender_due          action set_compliance_deadline                compliance
    offsets             kind*, company*, instrument*, amount,     action issue_offsets, action convert_offsets  compliance
                        proposal_id*
    compliance_year     year*, status*, settled, average_price,   after the txs                                 compliance
                        penalty_per_tonne
    participant_class   account*, participant_class*,             action set_participant_class                  makers
                        instrument, proposal_id
    government_auction  id*, instrument*, status*, opens,         action schedule_auctions, action              auctions
                        closes, volume, reserve_price, price,     amend_auction, before the txs, after the
                        sold, unsold                              txs, action stabilisation_measure
    stabilisation_day   day*, month*, tripped*, proposals         action set_reference_series, before the txs   stabilisati
                                                                                                                on
    stabilisation_measure
                        id*, kind*, status*, trigger*,            action stabilisation_measure, before the      stabilisati
                        proposal_id*, param, value, expires       txs, after the txs                            on

Modules (result codes they own, the range for their new codes, prefixes of the state keys they write):

    module        owns                                      codes (new codes in)                  state keys
    core          the pipeline: envelopes, signatures,      OK=0, MALFORMED_TX=1,                 nonce/ params
                  nonces, roles; parameters; tx results     WRONG_CHAIN_ID=2, UNKNOWN_SIGNER=3,
                                                            BAD_SIGNATURE=4, NONCE_REPLAYED=5,
                                                            NONCE_AHEAD=6, UNKNOWN_MESSAGE=7,
                                                            INVALID_MESSAGE=8, UNAUTHORIZED=9,
                                                            UNKNOWN_ACCOUNT=10,
                                                            INVALID_RECIPIENT=18, BLOCK_FULL=19,
                                                            NOT_FOUND=20, BAD_QUERY=21,
                                                            NOT_SUPPORTED=22,
                                                            MALFORMED_REQUEST=32, INTERNAL=99,
                                                            NOT_A_CLIENT_TX=100,
                                                            OBSERVER_ONLY_PUBLIC=101,
                                                            CHECK_BACKLOG=102 (100-199)
    access        who looked: an official records why       ACCESS_NOT_RECORDED=1300 (1300-1399)  looked/ lookgrant/
                  before reading a company's private data;                                        seq/looked
                  the company reads the records
    accounts      the participant registry: accounts,       ACCOUNT_EXISTS=12, NAME_TAKEN=33      acct/ count/role/
                  names, registry ids, sensor devices       (200-299)                             companyid/ name/ device/
    transfers     the allowance ledger: available and held  INSUFFICIENT_BALANCE=11,              bal/ held/ supply/ xlog/
                  tonnes, transfers, issuance, supply,      LIMIT_EXCEEDED=17 (300-399)
                  each account's transfer record
    governance    m-of-n proposals of governed actions,     PROPOSAL_NOT_FOUND=13,                prop/ seq/proposal
                  approvals and rejections                  PROPOSAL_CLOSED=14,
                                                            PROPOSAL_EXPIRED=15,
                                                            ALREADY_VOTED=16 (400-499)
    plans         allocation plans uploaded in chunks,      PLAN_CONFLICT=24,                     plan/ planchunk/
                  sealed by hash, issued as e-orders        PLAN_HASH_MISMATCH=25,                issuequeue alloc/
                                                            CHUNK_OUT_OF_ORDER=26,                eorder/
                                                            PLAN_NOT_FOUND=27 (500-599)
    mrv           sensor devices' daily totals with Merkle  ALREADY_REPORTED=23,                  em/ emc/ agg/c/ agg/s/
                  roots; monthly sums per company and       DAY_NOT_ENDED=600 (600-699)
                  sector (public)
    trading       KRW cash, escrowed limit orders matched   MARKET_CLOSED=28, ORDER_REJECTED=29,  cash/ cashheld/
                  in FinalizeBlock, call auctions at the    ORDER_NOT_FOUND=30 (700-799)          cashsupply bko/ bkw/
                  session transitions                                                             lvl/ books order/
                                                                                                  ordersby/ fill/ fillsby/
                                                                                                  bar/ ref/ market/clock
                                                                                                  seq/order seq/fill
                                                                                                  netsold/
    blocktrades   block (OTC) trades: quantity on chain,    MISSING_VIEW_KEY=31,                  viewkey/ blocktrade/
                  price sealed to the parties and the       BLOCK_TRADE_OUT_OF_BAND=800,          btby/ seq/blocktrade
                  regulator                                 PRICE_OPENING_MISMATCH=801 (800-899)  blockagg/
    validators    the validator set: genesis validators,    VALIDATOR_NOT_FOUND=900,              valset/ valsum valblock
                  governed power changes sent to CometBFT   VALIDATOR_UNCHANGED=901,
                                                            VALIDATOR_POWER_SHIFT=902,
                                                            VALIDATOR_SET_EMPTY=903,
                                                            VALIDATOR_SET_FULL=904,
                                                            VALIDATOR_CHANGED_IN_BLOCK=905
                                                            (900-999)
    privacy       private txs: the execution key (per       MUST_BE_SEALED=1000,                  sealing ptx/
                  epoch) and the regulator's view key they  NOT_A_PRIVATE_MESSAGE=1001,
                  are sealed to                             UNKNOWN_KEY_EPOCH=1002,
                                                            EXECUTION_KEY_MISSING=1003,
                                                            PRIVATE_TX_UNREADABLE=1004,
                                                            REGULATOR_NOT_A_READER=1005,
                                                            EPOCH_NOT_NEXT=1006 (1000-1099)
    channels      member-only ledgers: governed             CHANNEL_NOT_FOUND=1200,               channel/
                  membership, member-made key epochs        CHANNEL_EXISTS=1201,
                  wrapped to each member, sealed posts      CHANNEL_NOT_A_MEMBER=1202,
                  with public commitments                   CHANNEL_NEEDS_REKEY=1203,
                                                            CHANNEL_WRONG_EPOCH=1204,
                                                            CHANNEL_WRAPS_MISMATCH=1205,
                                                            CHANNEL_POST_TOO_LARGE=1206,
                                                            CHANNEL_DUPLICATE_POST=1207,
                                                            CHANNEL_UNCHANGED=1208 (1200-1299)
    compliance    annual reports, verification,             YEAR_NOT_ENDED=1100,                  cmp/year/ cmp/open
                  certification, surrender, borrowing,      REPORT_NOT_FOUND=1101,                cmp/report/ cmp/assign/
                  banking, offsets, deadlines, penalties,   VERIFIER_NOT_ASSIGNED=1102,           cmp/byverifier/
                  objections; the public compliance table   STATEMENT_NOT_FOUND=1103,             cmp/stmt/ cmp/cert/
                                                            ALREADY_CERTIFIED=1104,               cmp/certified/
                                                            NOT_CERTIFIED=1105,                   cmp/result/ cmp/blocked/
                                                            VINTAGE_NOT_ELIGIBLE=1106,            cmp/score/ cmp/retired/
                                                            OFFSET_CAP_EXCEEDED=1107,             cmp/offset/
                                                            OBLIGATION_EXCEEDED=1108,             cmp/seq/offset cmp/obj/
                                                            BORROW_LIMIT_EXCEEDED=1109,           cmp/seq/objection
                                                            BORROWING_NOT_ALLOWED=1110,           cmp/eorder/ cmp/adjust/
                                                            BANK_LIMIT_EXCEEDED=1111,             cmp/pos/
                                                            BANKING_NOT_ALLOWED=1112,
                                                            DEADLINE_PASSED=1113,
                                                            ACCOUNT_BLOCKED=1114,
                                                            OBJECTION_WINDOW_CLOSED=1115,
                                                            OBJECTION_NOT_FOUND=1116,
                                                            OBJECTION_CLOSED=1117,
                                                            HISTORY_FULL=1118,
                                                            VINTAGE_CLOSED=1119 (1100-1199)
    makers        participant classes (market makers,       HOLDING_LIMIT_EXCEEDED=1600,          mk/class/ mk/makers
                  third parties), holding limits, the       PARTICIPANT_CLASS_UNCHANGED=1601,     mk/day/ mk/quoting/
                  market-maker duty measured daily          TOO_MANY_MARKET_MAKERS=1602
                                                            (1600-1699)
    custody       account security: representatives with    FOUR_EYES_REQUIRED=1700,              cust/acct/ cust/rep/
                  initiate, approve or read-only rights,    CUSTODY_NO_RIGHT=1701,                cust/reps/ cust/trust/
                  four eyes on transfers out, a trusted     CUSTODY_LIMIT_EXCEEDED=1702,          cust/usage/ cust/xfer/
                  list that takes effect after a delay,     CUSTODY_NOT_FOUND=1703,               cust/exp/ cust/expcursor
                  caps on transfers to untrusted accounts   CUSTODY_SAME_PERSON=1704,
                                                            CUSTODY_EXPIRED=1705,
                                                            CUSTODY_FULL=1706,
                                                            CUSTODY_KEY_IN_USE=1707,
                                                            CUSTODY_UNCHANGED=1708 (1700-1799)
    auctions      government auctions (유상할당): a governed    AUCTION_NOT_FOUND=1400,               auc/auction/ auc/seq
                  calendar, sealed bids with cash escrow,   AUCTION_NOT_OPEN=1401,                auc/pending auc/carry/
                  a per-bidder cap, uniform-price clearing  AUCTION_BELOW_RESERVE=1402,           auc/treasury
                  and DvP settlement at the close, unsold   AUCTION_CAP_EXCEEDED=1403,            auc/reserveused
                  volume rolled over                        AUCTION_BID_LIMIT=1404,               auc/bids/ auc/nbids/
                                                            AUCTION_BID_NOT_FOUND=1405,           auc/mine/
                                                            AUCTION_SCHEDULE_CONFLICT=1406,
                                                            RESERVE_EXCEEDED=1407 (1400-1499)
    stabilisation
                  rule-based market stabilisation (Decree   MEASURE_CONFLICT=1500,                stab/month/ stab/day/
                  Art. 38): daily triggers from the         MEASURE_INVALID=1501 (1500-1599)      stab/last stab/series
                  chain's bars and a hash-committed                                               stab/measure/ stab/seq
                  reference series, chain-opened proposals                                        stab/active
                  of measures, m-of-n approval, expiry by                                         stab/proposed/
                  rule

Every transaction passes the same pipeline, ``execute_tx``, which is the one check
function used by CheckTx, PrepareProposal, ProcessProposal and FinalizeBlock:

    decode envelope → chain id → signer registered → signature → message parses →
    role may send it → nonce is the account's next → handler (state changes)

A rejection raises ``TxRejected`` with a registered code; the tx's writes are discarded
(in FinalizeBlock a tx that got past the nonce still consumes its nonce, so a failed
signed tx can never be replayed later). Values are canonical JSON or decimal integers;
every key is built by a function of its module's ``keys.py``.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from protocol.codec import CodecError, decode_envelope, Envelope, sign_digest, tx_hash
from protocol.codes import Code, TxRejected
from protocol.ed25519 import verify as verify_signature
from protocol.events import MESSAGE, Event
from protocol.exposure import PRIVATE
from protocol.messages import Message, parse_message
from protocol.private_tx import PrivateTxError, is_private, open_tx, parse_header, public_bytes, reader_id
from protocol.outcome import is_outcome

from .modules import MessageRule, assemble, install
from .modules.access.module import MODULE as ACCESS
from .modules.accounts.module import MODULE as ACCOUNTS
from .modules.auctions.module import MODULE as AUCTIONS
from .modules.blocktrades.module import MODULE as BLOCKTRADES
from .modules.channels.module import MODULE as CHANNELS
from .modules.compliance.module import MODULE as COMPLIANCE
from .modules.core import keys as core_keys
from .modules.core.module import MODULE as CORE
from .modules.custody.module import MODULE as CUSTODY
from .modules.custody.signers import representative_signer
from .modules.governance.module import MODULE as GOVERNANCE
from .modules.makers.module import MODULE as MAKERS
from .modules.mrv.module import MODULE as MRV
from .modules.plans.module import MODULE as PLANS
from .modules.privacy import keys as privacy_keys
from .modules.privacy.module import MODULE as PRIVACY
from .modules.stabilisation.module import MODULE as STABILISATION
from .modules.trading.module import MODULE as TRADING
from .modules.transfers.module import MODULE as TRANSFERS
from .modules.validators.module import MODULE as VALIDATORS
from .view import BlockContext, View, account, get_int

__all__ = ["MODULES", "CHAIN", "RULES", "BlockContext", "TxOutcome", "Executor", "View"]

MODULES = (CORE, ACCESS, ACCOUNTS, TRANSFERS, GOVERNANCE, PLANS, MRV, TRADING, BLOCKTRADES, VALIDATORS, PRIVACY, CHANNELS,
           COMPLIANCE, MAKERS, CUSTODY, AUCTIONS, STABILISATION)
CHAIN = install(assemble(MODULES))
RULES: dict[type, MessageRule] = CHAIN.rules  # message class → who may send it and its handler


@dataclass(frozen=True, slots=True)
class TxOutcome:
    code: int
    log: str
    signer: str = ""
    type: str = ""
    data: bytes = b""
    events: tuple[Event, ...] = ()  # of an accepted tx: the core's message event, then the handler's
    private: bool = False  # sealed on the wire: its public result shows none of the above


# ---------------------------------------------------------------- the check function


def _signer_record(view: View, address: str) -> Any:
    """The registered account that signs, or else a representative a company admitted (modules/custody)."""
    return account(view, address) or representative_signer(view.get, address)


@dataclass(frozen=True, slots=True)
class _Decoded:
    envelope: Envelope
    message: Message | None
    message_error: TxRejected | None
    verified_key: bytes  # the registered public key the signature was verified against
    cost: int  # bytes this entry is charged in the cache


# A decoded tx holds its body, the parsed JSON and the message: charged at a multiple of its bytes.
_ENTRY_OVERHEAD = 512
_COST_PER_TX_BYTE = 8


class Executor:
    """Runs ``execute_tx`` and caches decoding and signature checks by tx hash.

    Only a tx whose signature was verified against its signer's *registered* key is cached,
    so junk (unknown signers, bad signatures, malformed bytes) costs its sender CPU but never
    pins memory. The cache is bounded by entries and by bytes (oldest first out). An entry is
    used only while the signer's registered key is still the key it was verified with, so a
    cached result can never accept what a fresh check would reject.
    """

    def __init__(self, cache_entries: int = 100_000, cache_bytes: int = 64 * 1024 * 1024,
                 execution_keys: Callable[[int], X25519PrivateKey | None] = lambda epoch: None):
        self.execution_keys = execution_keys  # the node's private execution key of an epoch, if it holds it
        self._cache: OrderedDict[bytes, _Decoded] = OrderedDict()
        self._cache_entries = cache_entries
        self._cache_bytes = cache_bytes
        self._cached_bytes = 0
        self._publics: dict[int, tuple[X25519PrivateKey, bytes]] = {}  # epoch → (execution key, its public half)
        self._privacy_memo: tuple[bytes, tuple[int, ...], bytes | None] | None = None  # see _privacy_readers

    @property
    def cache_usage(self) -> tuple[int, int]:
        """(entries, bytes charged) held by the decode cache."""
        return len(self._cache), self._cached_bytes

    @staticmethod
    def _decode_envelope(tx: bytes) -> Envelope:
        try:
            return decode_envelope(tx)
        except CodecError as exc:
            raise TxRejected(Code.MALFORMED_TX, f"malformed transaction: {exc}") from None

    def _remember(self, digest: bytes, entry: _Decoded) -> None:
        if entry.cost > self._cache_bytes:
            return
        old = self._cache.pop(digest, None)
        if old is not None:
            self._cached_bytes -= old.cost
        self._cache[digest] = entry
        self._cached_bytes += entry.cost
        while len(self._cache) > self._cache_entries or self._cached_bytes > self._cache_bytes:
            _, evicted = self._cache.popitem(last=False)
            self._cached_bytes -= evicted.cost

    def forget(self, digests: Iterable[bytes]) -> None:
        """Drop the entries of txs a committed block holds: their nonces are used, so no block executes them
        again and the mempool no longer holds them (a copy sent again is refused by its nonce, decoded anew).
        A national batch (20 plan chunks, 20 registration batches of ~190 kB) would otherwise keep its
        decoded messages, several times their bytes, for as long as the byte bound allows."""
        for digest in digests:
            old = self._cache.pop(digest, None)
            if old is not None:
                self._cached_bytes -= old.cost

    def _verified(self, tx: bytes, digest: bytes, view: View) -> tuple[_Decoded | Envelope, dict[str, Any] | None]:
        """The cached entry if this tx was verified against the signer's current key, else the
        freshly decoded envelope; with the signer's account (None if unregistered)."""
        entry = self._cache.get(digest)
        if entry is not None:
            acct = _signer_record(view, entry.envelope.signer)
            if acct is not None and bytes.fromhex(acct["public_key"]) == entry.verified_key:
                return entry, acct
            env = entry.envelope
        else:
            env = self._decode_envelope(self._unseal(view, tx) if is_private(tx) else tx)
        return env, _signer_record(view, env.signer)

    def _privacy_readers(self, view: View) -> tuple[tuple[int, ...], bytes | None]:
        """The key epochs the chain reads and the regulator's reader id (None without a regulator key), from
        the ``/privacy`` record; decoded again only when the record's bytes change (a key rotation)."""
        raw = view.get(privacy_keys.PRIVACY)
        memo = self._privacy_memo
        if memo is not None and (memo[0] is raw or memo[0] == raw):
            return memo[1], memo[2]
        readers = json.loads(raw)
        accepted = (readers["epoch"],) + ((readers["previous"]["epoch"],) if readers.get("previous") else ())
        regulator = reader_id(bytes.fromhex(readers["regulator_key"])) if readers.get("regulator_key") else None
        self._privacy_memo = (raw, accepted, regulator)
        return accepted, regulator

    def _unseal(self, view: View, tx: bytes) -> bytes:
        """The signed envelope inside a private tx, opened with this node's execution key of its epoch."""
        accepted, regulator = self._privacy_readers(view)
        try:
            header = parse_header(tx)
        except PrivateTxError as exc:
            raise TxRejected(Code.MALFORMED_TX, f"malformed private transaction: {exc}") from None
        epoch = header.epoch
        if epoch not in accepted:
            raise TxRejected(Code.UNKNOWN_KEY_EPOCH, f"sealed to execution key epoch {epoch}; the chain reads epochs "
                                                     f"{', '.join(map(str, accepted))}: read /privacy and seal again")
        if regulator is not None and regulator not in header.reader_ids:
            raise TxRejected(Code.REGULATOR_NOT_A_READER, "a private tx must also be sealed to the regulator's view key "
                                                          "(regulator_key in /privacy)")
        key = self.execution_keys(epoch)
        if key is None:
            raise TxRejected(Code.EXECUTION_KEY_MISSING, f"this validator does not hold the execution key of epoch {epoch}")
        held = self._publics.get(epoch)
        if held is None or held[0] is not key:
            held = self._publics[epoch] = (key, public_bytes(key))
        try:
            return open_tx(tx, key, public=held[1], header=header)
        except PrivateTxError as exc:
            raise TxRejected(Code.PRIVATE_TX_UNREADABLE, str(exc)) from None

    def _verify(self, tx: bytes, digest: bytes, env: Envelope, public_key_hex: str) -> _Decoded:
        public_key = bytes.fromhex(public_key_hex)
        if not verify_signature(public_key, env.signature, sign_digest(env.body)):
            raise TxRejected(Code.BAD_SIGNATURE, "signature does not match the body and the signer's registered key") from None
        try:
            message, error = parse_message(env.msg), None
        except TxRejected as exc:
            message, error = None, exc
        # charged for what it holds: the (inner) envelope's bytes, not a private tx's ciphertext around them
        entry = _Decoded(env, message, error, public_key, _ENTRY_OVERHEAD + _COST_PER_TX_BYTE * (len(env.body) + 68))
        self._remember(digest, entry)
        return entry

    def recheck(self, committed: View, tx: bytes) -> TxOutcome | None:
        """CometBFT's RECHECK of a tx already in its mempool, without executing it again: refused when
        its nonce was used in the ``committed`` state meanwhile, kept while it stays verified against its
        signer's current key; None when it has to be checked in full (not cached, or the key changed)."""
        entry = self._cache.get(tx_hash(tx))
        if entry is None or entry.message_error is not None:
            return None
        env = entry.envelope
        acct = _signer_record(committed, env.signer)
        if acct is None or bytes.fromhex(acct["public_key"]) != entry.verified_key:
            return None
        kind, sealed = str(env.msg.get("type", ""))[:40], is_private(tx)
        expected = get_int(committed, core_keys.nonce(env.signer))
        if env.nonce < expected:
            return TxOutcome(Code.NONCE_REPLAYED, f"nonce {env.nonce} was already used; the account's next nonce is {expected}",
                             env.signer, kind, private=sealed)
        return TxOutcome(Code.OK, "", env.signer, kind, private=sealed)

    @staticmethod
    def begin_block(view: View, ctx: BlockContext) -> None:
        """Work the chain does by itself before a block's transactions (the modules' begin hooks);
        their events go to ``ctx.events``, the block's own."""
        for hook in CHAIN.begin_block:
            hook.run(view, ctx)

    @staticmethod
    def end_block(view: View, ctx: BlockContext) -> None:
        """Work the chain does by itself after a block's transactions (the modules' end hooks)."""
        for hook in CHAIN.end_block:
            hook.run(view, ctx)

    def execute_tx(self, view: View, tx: bytes, ctx: BlockContext, *, consume_nonce_on_failure: bool = False) -> TxOutcome:
        """The one check function. On success the tx's writes are merged into ``view``."""
        signer = kind = ""
        nonce_passed = False
        sealed = is_private(tx)
        if is_outcome(tx):
            return TxOutcome(Code.NOT_A_CLIENT_TX, "a block outcome (ETSO) is the last tx of a block, written by its "
                                                   "proposer; it cannot be sent as a tx")
        try:
            digest = tx_hash(tx)
            found, acct = self._verified(tx, digest, view)
            env = found.envelope if isinstance(found, _Decoded) else found
            signer = env.signer
            kind = str(env.msg.get("type", ""))[:40]
            if env.chain_id != ctx.chain_id:
                raise TxRejected(Code.WRONG_CHAIN_ID, f"signed for chain {env.chain_id[:64]!r}, this chain is {ctx.chain_id!r}")
            if acct is None:
                raise TxRejected(Code.UNKNOWN_SIGNER, f"signer {env.signer} is not a registered account; ask the government to register it")
            entry = found if isinstance(found, _Decoded) else self._verify(tx, digest, env, acct["public_key"])
            if entry.message_error is not None:
                raise TxRejected(entry.message_error.code, entry.message_error.log)  # a fresh exception each time
            if (kind in PRIVATE) != sealed:
                if sealed:
                    raise TxRejected(Code.NOT_A_PRIVATE_MESSAGE, f"{kind} is public: send it in clear")
                raise TxRejected(Code.MUST_BE_SEALED, f"{kind} is private: seal it to the execution key and the "
                                                      "regulator's view key (/privacy); ets clients do")
            rule = RULES[type(entry.message)]
            if acct["role"] not in rule.roles:
                raise TxRejected(Code.UNAUTHORIZED, f"a {acct['role']} account may not send {kind}; allowed: {', '.join(sorted(rule.roles))}")
            nonce_key = core_keys.nonce(env.signer)
            expected = get_int(view, nonce_key)
            if env.nonce < expected:
                raise TxRejected(Code.NONCE_REPLAYED, f"nonce {env.nonce} was already used; the account's next nonce is {expected}")
            if env.nonce > expected:
                raise TxRejected(Code.NONCE_AHEAD, f"nonce {env.nonce} is ahead; the account's next nonce is {expected}")
            nonce_passed = True
            tx_view, tx_ctx = view.child(), ctx.for_tx()
            data = rule.handler(tx_view, env.signer, entry.message, tx_ctx)
            tx_view.set(nonce_key, str(expected + 1).encode())
            tx_view.merge()
            if sealed:
                view.set(privacy_keys.commitment(digest.hex()), hashlib.sha256(env.signature + env.body).hexdigest().encode())
                return TxOutcome(Code.OK, "", signer, kind, data, tx_ctx.events, private=True)
            events = (MESSAGE(type=rule.message.TYPE, module=rule.module), *tx_ctx.events)
            return TxOutcome(Code.OK, "", signer, kind, data, events)
        except TxRejected as exc:
            if nonce_passed and consume_nonce_on_failure:
                nonce_key = core_keys.nonce(signer)
                view.set(nonce_key, str(get_int(view, nonce_key) + 1).encode())
            return TxOutcome(exc.code, exc.log, signer, kind, private=sealed)
