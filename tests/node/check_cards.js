// Checks Adaptive Cards with Microsoft's own renderer library (npm `adaptivecards`), offline.
//
// stdin: one card a line (JSON). stdout: one line a card, in the same order:
//   {"errors": ["body[2] Input.Text: All inputs must have a unique Id.", ...]}
// The library's parse and validation events, plus what it lets through that Teams would not
// show as we mean it: a card that is not version 1.5, an Input without an id, an Action.Execute
// without a verb, an element newer than 1.5, and a property the element does not have (a typo
// such as `isMultiselect` is silently dropped by renderers).
"use strict";

// The package's `lib` entry needs a DOM at import; the webpack bundle loads under node.
const AC = require("adaptivecards/dist/adaptivecards.js");
const readline = require("readline");

const CARD_VERSION = "1.5";

// Properties the library handles outside its property schemas, per type ("*": every element).
const STRUCTURAL = {
  "*": ["fallback"],
  AdaptiveCard: ["body", "actions", "msteams", "metadata"],
  Container: ["items"],
  Column: ["items"],
  ColumnSet: ["columns"],
  ActionSet: ["actions"],
  RichTextBlock: ["inlines"],
  Table: ["rows"],
  TableRow: ["cells"],
  TableCell: ["items"],
  Carousel: ["pages"],
  CarouselPage: ["items"],
  "Action.ShowCard": ["card"],
};
// Typed objects that are not in the element or action registries.
const OTHER_TYPES = {
  AdaptiveCard: () => new AC.AdaptiveCard(),
  Column: () => new AC.Column(),
  TextRun: () => new AC.TextRun(),
  TableRow: () => new AC.TableRow(),
  TableCell: () => new AC.TableCell(),
  "Data.Query": () => new AC.ChoiceSetInputDataQuery(),
};

function propertyNames(object) {
  const schema = object.getSchema();
  const names = new Set(["type"]);
  for (let i = 0; i < schema.getCount(); i++) {
    names.add(schema.getItemAt(i).name);
  }
  return names;
}

function registration(context, typeName) {
  return context.elementRegistry.findByName(typeName) || context.actionRegistry.findByName(typeName);
}

function describe(source) {
  if (source && typeof source.getJsonTypeName === "function") {
    const id = source.id ? ` "${source.id}"` : "";
    return `${source.getJsonTypeName()}${id}: `;
  }
  if (source && typeof source === "object" && typeof source.type === "string") {
    return `${source.type}: `;
  }
  return "";
}

// Walks the JSON as sent, finding what the library does not check.
function stricterChecks(card, context) {
  const errors = [];
  if (card.type !== "AdaptiveCard") {
    errors.push(`type must be "AdaptiveCard", not ${JSON.stringify(card.type)}`);
  }
  if (card.version !== CARD_VERSION) {
    errors.push(`version must be "${CARD_VERSION}" (what Teams on mobile renders), not ${JSON.stringify(card.version)}`);
  }
  const newest = new AC.Version(1, 5);
  const visit = (node, path) => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => visit(item, `${path}[${index}]`));
      return;
    }
    if (node === null || typeof node !== "object") {
      return;
    }
    const type = node.type;
    if (typeof type === "string") {
      const where = `${path || "card"} ${type}`;
      const registered = registration(context, type);
      const make = registered ? () => new registered.objectType() : OTHER_TYPES[type];
      if (registered && registered.schemaVersion.compareTo(newest) > 0) {
        errors.push(`${where}: needs Adaptive Cards ${registered.schemaVersion.toString()}, newer than ${CARD_VERSION}`);
      }
      if (make) {
        const known = propertyNames(make());
        for (const extra of [...STRUCTURAL["*"], ...(STRUCTURAL[type] || [])]) {
          known.add(extra);
        }
        for (const key of Object.keys(node)) {
          if (!known.has(key)) {
            errors.push(`${where}: unknown property "${key}"`);
          }
        }
      }
      if (type.startsWith("Input.") && (typeof node.id !== "string" || node.id === "")) {
        errors.push(`${where}: an input needs an id (its value is submitted under it)`);
      }
      if (type === "Action.Execute" && (typeof node.verb !== "string" || node.verb === "")) {
        errors.push(`${where}: Action.Execute needs a verb`);
      }
    }
    for (const [key, value] of Object.entries(node)) {
      // data and metadata are the bot's own payloads, not card elements
      if (key !== "data" && key !== "msteams" && key !== "metadata") {
        visit(value, path ? `${path}.${key}` : key);
      }
    }
  };
  visit(card, "");
  return errors;
}

// Teams fills a ChoiceSet from `choices.data` (the people picker) at any card version; the
// library reads that property only from 1.6 on, so it would call the empty `choices` an error.
function dynamicChoiceSetIds(node, found = new Set()) {
  if (Array.isArray(node)) {
    node.forEach((item) => dynamicChoiceSetIds(item, found));
  } else if (node !== null && typeof node === "object") {
    if (node.type === "Input.ChoiceSet" && node["choices.data"]) {
      found.add(node.id);
    }
    Object.values(node).forEach((value) => dynamicChoiceSetIds(value, found));
  }
  return found;
}

function isTeamsPeoplePicker(event, dynamicIds) {
  return (
    event.event === AC.ValidationEvent.CollectionCantBeEmpty &&
    event.source &&
    typeof event.source.getJsonTypeName === "function" &&
    event.source.getJsonTypeName() === "Input.ChoiceSet" &&
    dynamicIds.has(event.source.id)
  );
}

function checkCard(json) {
  const errors = [];
  const dynamicIds = dynamicChoiceSetIds(json);
  const context = new AC.SerializationContext();
  const card = new AC.AdaptiveCard();
  try {
    card.parse(json, context);
  } catch (error) {
    return [`the library could not parse it: ${error.message}`];
  }
  for (let i = 0; i < context.eventCount; i++) {
    const event = context.getEventAt(i);
    errors.push(`${describe(event.source)}${event.message} (${AC.ValidationEvent[event.event]})`);
  }
  for (const event of card.validateProperties().validationEvents) {
    if (isTeamsPeoplePicker(event, dynamicIds)) {
      continue;
    }
    errors.push(`${describe(event.source)}${event.message} (${AC.ValidationEvent[event.event]})`);
  }
  return errors.concat(stricterChecks(json, context));
}

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on("line", (line) => {
  if (line.trim() === "") {
    return;
  }
  let result;
  try {
    result = { errors: checkCard(JSON.parse(line)) };
  } catch (error) {
    result = { errors: [`not a JSON card: ${error.message}`] };
  }
  process.stdout.write(JSON.stringify(result) + "\n");
});
